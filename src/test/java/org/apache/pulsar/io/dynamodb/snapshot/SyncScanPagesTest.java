package org.apache.pulsar.io.dynamodb.snapshot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.awscore.exception.AwsServiceException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ProvisionedThroughputExceededException;
import software.amazon.awssdk.services.dynamodb.model.ScanRequest;
import software.amazon.awssdk.services.dynamodb.model.ScanResponse;

class SyncScanPagesTest {

    private static final ScanRequest REQUEST = ScanRequest.builder().tableName("t").segment(0).totalSegments(2).build();

    /** A DynamoDB client whose Scan answers with {@code answer}; records whether it was closed. */
    private static final class FakeDynamo implements DynamoDbClient {
        final Function<ScanRequest, ScanResponse> answer;
        final AtomicBoolean closed = new AtomicBoolean();

        FakeDynamo(Function<ScanRequest, ScanResponse> answer) {
            this.answer = answer;
        }

        @Override
        public ScanResponse scan(ScanRequest request) {
            return answer.apply(request);
        }

        @Override
        public String serviceName() {
            return SERVICE_NAME;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void thePageIsReadInTheBackgroundWhileTheReaderGoesOn() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        FakeDynamo dynamo = new FakeDynamo(request -> {
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ScanResponse.builder().count(1).items(java.util.Map.of("id", AttributeValue.fromS(
                    request.tableName() + "/" + request.segment()))).build();
        });
        try (SyncScanPages pages = new SyncScanPages(dynamo, 2, "test-scan")) {
            CompletableFuture<ScanResponse> first = pages.scan(REQUEST);
            CompletableFuture<ScanResponse> second = pages.scan(REQUEST.toBuilder().segment(1).build());
            assertThat(first).isNotDone();
            assertThat(second).isNotDone();
            release.countDown();
            assertThat(SnapshotTable.join(first).items().get(0).get("id").s()).isEqualTo("t/0");
            assertThat(SnapshotTable.join(second).items().get(0).get("id").s()).isEqualTo("t/1");
        }
        assertThat(dynamo.closed).isTrue();
    }

    @Test
    void aThrottledScanFailsWithTheSdkExceptionTheReaderRetries() {
        FakeDynamo dynamo = new FakeDynamo(request -> {
            // as the SDK's unmarshaller builds it from DynamoDB's answer
            throw ProvisionedThroughputExceededException.builder().statusCode(400).message("slow down")
                    .awsErrorDetails(AwsErrorDetails.builder().errorCode("ProvisionedThroughputExceededException")
                            .build()).build();
        });
        try (SyncScanPages pages = new SyncScanPages(dynamo, 1, "test-scan")) {
            CompletableFuture<ScanResponse> page = pages.scan(REQUEST);
            assertThatThrownBy(() -> SnapshotTable.join(page))
                    .isInstanceOf(ProvisionedThroughputExceededException.class)
                    .matches(e -> ((AwsServiceException) e).isThrottlingException());
        }
    }
}
