package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeDefinition;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.KeySchemaElement;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** KCL's tables are read while the source checks the stream, but created only once the check has passed. */
class TableReadinessGateTest {

    private final RecordingDynamoDb dynamo = new RecordingDynamoDb();
    private final TableReadiness readiness = new TableReadiness(dynamo, Duration.ofMillis(10), Duration.ofSeconds(30));

    private static CreateTableRequest table(String name) {
        return CreateTableRequest.builder().tableName(name)
                .keySchema(KeySchemaElement.builder().attributeName("leaseKey").keyType(KeyType.HASH).build())
                .attributeDefinitions(AttributeDefinition.builder().attributeName("leaseKey")
                        .attributeType(ScalarAttributeType.S).build())
                .billingMode(BillingMode.PAY_PER_REQUEST).build();
    }

    @Test
    void aMissingTableIsCreatedOnlyAfterTheGateOpens() throws Exception {
        CountDownLatch reached = new CountDownLatch(1);
        CountDownLatch open = new CountDownLatch(1);
        WriteGate gate = () -> {
            reached.countDown();
            open.await();
        };
        CompletableFuture<List<String>> created = CompletableFuture.supplyAsync(() -> {
            try {
                return readiness.createAndAwaitActive(List.of(table("app")), gate);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        assertThat(reached.await(10, TimeUnit.SECONDS)).as("the gate is asked before a creation").isTrue();
        assertThat(dynamo.createTables).as("nothing created while the gate is closed").isEmpty();
        open.countDown();

        assertThat(created.get(10, TimeUnit.SECONDS)).containsExactly("app");
        assertThat(dynamo.createTables).extracting(CreateTableRequest::tableName).containsExactly("app");
    }

    @Test
    void existingTablesAreReadWithoutWaitingForTheGate() throws Exception {
        dynamo.createTable(table("app")).get();
        dynamo.createTables.clear();
        WriteGate never = () -> {
            throw new AssertionError("the gate was asked although nothing is to be created");
        };

        assertThat(readiness.createAndAwaitActive(List.of(table("app")), never)).isEmpty();
        assertThat(dynamo.createTables).isEmpty();
    }

    @Test
    void aFailedCheckCreatesNothing() {
        WriteGate failed = () -> {
            throw new IllegalStateException("not started: stream disabled");
        };

        assertThatThrownBy(() -> readiness.createAndAwaitActive(List.of(table("app")), failed))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("stream disabled");
        assertThat(dynamo.createTables).isEmpty();
    }
}
