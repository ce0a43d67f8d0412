package org.apache.pulsar.io.dynamodb.discovery;

import java.util.HashMap;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;

/** Table keys as a loaded configuration holds them. */
public final class TablesConfigs {

    private TablesConfigs() {
    }

    /** @param keysAndValues key, value, key, value, ... */
    public static TablesConfig of(String... keysAndValues) {
        Map<String, Object> config = new HashMap<>();
        config.put("awsCredentialPluginParam", "{\"accessKey\":\"a\",\"secretKey\":\"b\"}");
        config.put("awsRegion", "eu-north-1");
        for (int i = 0; i < keysAndValues.length; i += 2) {
            config.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return DynamoDBSourceConfig.load(config, null).getTables();
    }
}
