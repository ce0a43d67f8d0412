package org.apache.pulsar.io.dynamodb.discovery;

import java.util.HashMap;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;

/** Table keys as a loaded configuration holds them. */
final class TablesConfigs {

    private TablesConfigs() {
    }

    static TablesConfig of(String key, String value) {
        Map<String, Object> config = new HashMap<>();
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}");
        config.put("awsRegion", "eu-north-1");
        config.put(key, value);
        return DynamoDBSourceConfig.load(config, null).getTables();
    }
}
