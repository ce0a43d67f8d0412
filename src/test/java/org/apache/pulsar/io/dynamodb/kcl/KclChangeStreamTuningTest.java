package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.apache.pulsar.io.dynamodb.aws.CredentialsFactory;
import org.apache.pulsar.io.dynamodb.aws.CredentialsHandle;
import org.apache.pulsar.io.dynamodb.config.MessageKeyMode;
import org.apache.pulsar.io.dynamodb.convert.ChangeRecordConverter;
import org.apache.pulsar.io.dynamodb.convert.KeyRenderer;
import org.apache.pulsar.io.dynamodb.filter.RecordFilter;
import org.apache.pulsar.io.dynamodb.metrics.SourceMetrics;
import org.apache.pulsar.io.dynamodb.stream.StreamStart;
import org.junit.jupiter.api.Test;
import software.amazon.kinesis.common.StreamConfig;
import software.amazon.kinesis.coordinator.Scheduler;
import software.amazon.kinesis.leases.LeaseManagementConfig;

/** The scheduler KclChangeStream builds starts without KCL's start-up waits (see kcl.bootstrap's documentation). */
class KclChangeStreamTuningTest {

    private static final String ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";

    @Test
    void theSchedulerIsTunedToStartInSeconds() throws Exception {
        DynamoDBSourceConfig config = DynamoDBSourceConfig.load(Map.of(
                "awsDynamodbStreamArn", ARN,
                "awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}",
                // nothing listens here: building the scheduler must send no request
                "dynamoEndpoint", "http://127.0.0.1:9", "awsEndpoint", "http://127.0.0.1:9"), null);
        try (CredentialsHandle credentials = CredentialsFactory.create(config);
             AwsClients clients = AwsClients.create(config, credentials)) {
            KclChangeStream stream = new KclChangeStream(config, clients, "worker-1", RecordFilter.ALL,
                    new ChangeRecordConverter(KeyRenderer.forMode(MessageKeyMode.PRIMARY_KEY)), record -> { },
                    error -> { }, StreamStart.of(config.getInitialPositionInStream(), config.getStartAtTime()),
                    gap -> { }, new SourceMetrics(() -> 0));
            Scheduler scheduler = stream.builtScheduler();
            try {
                StreamConfig streamConfig = scheduler.streamTracker().streamConfigList().get(0);
                // The adapter copies shardSyncIntervalMillis into its lease factory before it forces 0 itself;
                // a shard sync that creates leases then sleeps that long (60 s by default).
                assertThat(scheduler.shardSyncTaskManagerProvider().apply(streamConfig).shardSyncIdleTimeMillis())
                        .isZero();
                LeaseManagementConfig leases = scheduler.leaseManagementConfig();
                // Worker metrics configured, so the constructor did not look for EC2/ECS/EKS metadata.
                assertThat(leases.workerUtilizationAwareAssignmentConfig().disableWorkerMetrics()).isTrue();
                assertThat(leases.workerUtilizationAwareAssignmentConfig().workerMetricList()).isEmpty();
                assertThat(leases.leaseAssignmentIntervalMillis()).isEqualTo(2_000L);
                assertThat(scheduler.shardConsumerDispatchPollIntervalMillis()).isEqualTo(100L);
                assertThat(scheduler.coordinatorConfig().skipShardSyncAtWorkerInitializationIfLeasesExist()).isTrue();
            } finally {
                stream.close();
            }
        }
    }
}
