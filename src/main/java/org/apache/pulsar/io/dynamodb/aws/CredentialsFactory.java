package org.apache.pulsar.io.dynamodb.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import org.apache.pulsar.io.aws.AwsCredentialProviderPlugin;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Builds the SDK v2 credentials provider the builtin's three ways: static keys JSON or a credential plugin. */
public final class CredentialsFactory {

    private static final ObjectMapper JSON = new ObjectMapper();

    private CredentialsFactory() {
    }

    /** Makes no AWS call; a bad plugin or parameter fails with a message naming the key, never its secret value. */
    public static CredentialsHandle create(DynamoDBSourceConfig config) {
        String pluginName = config.getAwsCredentialPluginName();
        String param = config.getAwsCredentialPluginParam();
        if (pluginName == null || pluginName.isBlank()) {
            return new CredentialsHandle(StaticCredentialsProvider.create(staticCredentials(param)), null);
        }
        AwsCredentialProviderPlugin plugin = instantiate(pluginName.trim());
        try {
            plugin.init(param);
            return new CredentialsHandle(plugin.getV2CredentialsProvider(), plugin);
        } catch (RuntimeException e) {
            closeQuietly(plugin);
            throw new IllegalArgumentException("Invalid config 'awsCredentialPluginParam': plugin " + pluginName
                    + " rejected it (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    /** The param was validated with the config: a JSON object with accessKey, secretKey and maybe sessionToken. */
    static AwsCredentials staticCredentials(String param) {
        JsonNode json;
        try {
            json = JSON.readTree(param);
        } catch (IOException e) {
            throw new IllegalArgumentException("Invalid config 'awsCredentialPluginParam': not JSON");
        }
        String accessKey = json.path("accessKey").asText();
        String secretKey = json.path("secretKey").asText();
        String sessionToken = json.path("sessionToken").asText("");
        return sessionToken.isEmpty()
                ? AwsBasicCredentials.create(accessKey, secretKey)
                : AwsSessionCredentials.create(accessKey, secretKey, sessionToken);
    }

    private static AwsCredentialProviderPlugin instantiate(String className) {
        Class<?> type;
        try {
            type = Class.forName(className, true, CredentialsFactory.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new IllegalArgumentException("Invalid config 'awsCredentialPluginName': class " + className
                    + " not found", e);
        }
        if (!AwsCredentialProviderPlugin.class.isAssignableFrom(type)) {
            throw new IllegalArgumentException("Invalid config 'awsCredentialPluginName': " + className
                    + " does not implement " + AwsCredentialProviderPlugin.class.getName());
        }
        try {
            return (AwsCredentialProviderPlugin) type.getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalArgumentException("Invalid config 'awsCredentialPluginName': cannot instantiate "
                    + className + " (" + e.getClass().getSimpleName() + ")", e);
        }
    }

    private static void closeQuietly(AwsCredentialProviderPlugin plugin) {
        try {
            plugin.close();
        } catch (IOException | RuntimeException ignored) {
            // the init failure is what the user needs to see
        }
    }
}
