package org.apache.pulsar.io.dynamodb.kcl.bootstrap;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.model.CreateTableRequest;
import software.amazon.awssdk.services.dynamodb.model.GlobalSecondaryIndexDescription;
import software.amazon.awssdk.services.dynamodb.model.IndexStatus;
import software.amazon.awssdk.services.dynamodb.model.ResourceInUseException;
import software.amazon.awssdk.services.dynamodb.model.ResourceNotFoundException;
import software.amazon.awssdk.services.dynamodb.model.TableDescription;
import software.amazon.awssdk.services.dynamodb.model.TableStatus;

/**
 * Creates the tables that are missing and waits, with a short poll, until every table and every index on it is
 * ACTIVE. KCL does the same with 10 s sleeps (lease table, its index) or the SDK waiter's 20 s delay (the other two).
 * Another worker creating the same table at the same moment is fine: its CreateTable wins, this one waits. The
 * snapshot's state table is prepared the same way.
 */
public final class TableReadiness {

    private static final Logger log = LoggerFactory.getLogger(TableReadiness.class);
    private static final Duration PROGRESS_EVERY = Duration.ofSeconds(10);

    private final DynamoDbAsyncClient dynamo;
    private final Duration poll;
    private final Duration timeout;

    public TableReadiness(DynamoDbAsyncClient dynamo, Duration poll, Duration timeout) {
        this.dynamo = dynamo;
        this.poll = poll;
        this.timeout = timeout;
    }

    /** Creates what is missing, then waits; returns the names of the tables this call created. */
    public List<String> createAndAwaitActive(List<CreateTableRequest> tables) throws InterruptedException {
        return createAndAwaitActive(tables, WriteGate.OPEN);
    }

    /** As {@link #createAndAwaitActive(List)}, creating a missing table only once {@code beforeCreate} returns. */
    public List<String> createAndAwaitActive(List<CreateTableRequest> tables, WriteGate beforeCreate)
            throws InterruptedException {
        List<String> created = new ArrayList<>();
        for (CreateTableRequest table : tables) {
            if (createIfMissing(table, beforeCreate)) {
                created.add(table.tableName());
            }
        }
        long started = System.nanoTime();
        long nextProgress = started + PROGRESS_EVERY.toNanos();
        List<String> waiting = tables.stream().map(CreateTableRequest::tableName).toList();
        while (true) {
            waiting = notActive(waiting);
            if (waiting.isEmpty()) {
                return created;
            }
            long now = System.nanoTime();
            if (now - started > timeout.toNanos()) {
                throw new IllegalStateException("Tables " + waiting + " not ACTIVE after " + timeout.toSeconds()
                        + " s");
            }
            if (now >= nextProgress) {
                log.info("Waiting for tables {} to become ACTIVE ({} s so far)", waiting,
                        Duration.ofNanos(now - started).toSeconds());
                nextProgress = now + PROGRESS_EVERY.toNanos();
            }
            Thread.sleep(poll.toMillis());
        }
    }

    /** True when this call created the table; false when it exists already (or another worker just created it). */
    private boolean createIfMissing(CreateTableRequest table, WriteGate beforeCreate) throws InterruptedException {
        try {
            await(dynamo.describeTable(b -> b.tableName(table.tableName())));
            return false;
        } catch (ResourceNotFoundException missing) {
            beforeCreate.await();
            try {
                await(dynamo.createTable(table));
                log.info("Created table {}", table.tableName());
                return true;
            } catch (ResourceInUseException createdByAnother) {
                return false;
            }
        }
    }

    private List<String> notActive(List<String> tables) throws InterruptedException {
        List<CompletableFuture<TableDescription>> described = new ArrayList<>();
        for (String table : tables) {
            described.add(dynamo.describeTable(b -> b.tableName(table)).thenApply(r -> r.table()));
        }
        List<String> waiting = new ArrayList<>();
        for (int i = 0; i < tables.size(); i++) {
            TableDescription table;
            try {
                table = await(described.get(i));
            } catch (ResourceNotFoundException e) {
                // Just created: DescribeTable may not see it for a moment.
                waiting.add(tables.get(i));
                continue;
            }
            boolean indexesActive = !table.hasGlobalSecondaryIndexes() || table.globalSecondaryIndexes().stream()
                    .map(GlobalSecondaryIndexDescription::indexStatus).allMatch(IndexStatus.ACTIVE::equals);
            if (table.tableStatus() != TableStatus.ACTIVE || !indexesActive) {
                waiting.add(tables.get(i));
            }
        }
        return waiting;
    }

    /** The future's value; its failure rethrown as the SDK's exception where it is one. */
    static <T> T await(CompletableFuture<T> future) throws InterruptedException {
        try {
            return future.get();
        } catch (ExecutionException e) {
            Throwable cause = unwrap(e);
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IllegalStateException(cause);
        } catch (InterruptedException e) {
            future.cancel(true);
            throw e;
        }
    }

    private static Throwable unwrap(Throwable error) {
        Throwable cause = error;
        while ((cause instanceof ExecutionException || cause instanceof CompletionException)
                && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }
}
