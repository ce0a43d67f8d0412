package org.apache.pulsar.io.dynamodb.config;

import java.util.HashMap;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;

/** Loads a configuration of one stream ARN and static keys, with the keys a concern's test adds. */
final class ArnConfig {

    static final String ARN =
            "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-02T03:04:05.123";

    private ArnConfig() {
    }

    /** @param keysAndValues key, value, key, value, ... */
    static DynamoDBSourceConfig load(Object... keysAndValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("awsDynamodbStreamArn", ARN);
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return DynamoDBSourceConfig.load(config, null);
    }
}
