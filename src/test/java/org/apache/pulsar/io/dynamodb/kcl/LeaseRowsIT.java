package org.apache.pulsar.io.dynamodb.kcl;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.DynamoDbAsyncClient;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.BillingMode;
import software.amazon.awssdk.services.dynamodb.model.KeyType;
import software.amazon.awssdk.services.dynamodb.model.ScalarAttributeType;

/** LeaseRows against DynamoDB Local: a stream's leases are all deleted even when they span several Scan pages. */
class LeaseRowsIT {

    private static final String TABLE = "lease-rows";
    private static final String PADDING = "x".repeat(10_000);
    private static DynamoDbLocal dynamo;
    private static DynamoDbAsyncClient client;

    @BeforeAll
    static void start() throws Exception {
        dynamo = DynamoDbLocal.start();
        client = dynamo.newAsyncClient();
        DynamoDbClient sync = dynamo.client();
        sync.createTable(b -> b.tableName(TABLE).billingMode(BillingMode.PAY_PER_REQUEST)
                .keySchema(k -> k.attributeName("leaseKey").keyType(KeyType.HASH))
                .attributeDefinitions(a -> a.attributeName("leaseKey").attributeType(ScalarAttributeType.S)));
        // 300 rows of ~10 KB: about 3 MB, so a Scan needs several 1 MB pages
        for (int i = 0; i < 300; i++) {
            int n = i;
            String stream = i % 3 == 0 ? "acct:gone:1" : "acct:kept:1";
            String checkpoint = i % 2 == 0 ? LeaseRows.SHARD_END : "49000" + i;
            sync.putItem(b -> b.tableName(TABLE).item(Map.of(
                    "leaseKey", AttributeValue.fromS(stream + ":shardId-" + n),
                    "streamName", AttributeValue.fromS(stream),
                    "checkpoint", AttributeValue.fromS(checkpoint),
                    "padding", AttributeValue.fromS(PADDING))));
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }

    @Test
    void deletesEveryLeaseOfTheStreamAcrossScanPages() {
        LeaseRows rows = new LeaseRows(client, TABLE);
        assertThat(rows.byStream().get("acct:gone:1").shards()).isEqualTo(100);

        assertThat(rows.deleteEnded("acct:gone:1")).as("the 50 at SHARD_END").isEqualTo(50);
        assertThat(rows.deleteAll("acct:gone:1")).as("the other 50").isEqualTo(50);

        assertThat(rows.byStream()).doesNotContainKey("acct:gone:1");
        assertThat(rows.byStream().get("acct:kept:1").shards()).isEqualTo(200);
    }
}
