package org.apache.pulsar.io.dynamodb.aws;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.List;
import org.apache.pulsar.io.aws.AwsCredentialProviderPlugin;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/** Builds the SDK v2 credentials provider the builtin's three ways: static keys JSON or a credential plugin. */
public final class CredentialsFactory {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Logger log = LoggerFactory.getLogger(CredentialsFactory.class);
    /**
     * Loggers outside the connector that print request credentials at DEBUG: the SDK's SigV4 signers log the
     * canonical request (with the x-amz-security-token value) and Netty's wire log shows every header
     * (Authorization with the access key id, X-Amz-Security-Token). The secret key itself is never sent.
     */
    static final List<String> CREDENTIAL_PRINTING_LOGGERS = List.of(
            "software.amazon.awssdk.http.auth.aws.internal.signer.DefaultV4RequestSigner",
            "software.amazon.awssdk.auth.signer.internal.AbstractAws4Signer",
            "io.netty.handler.logging.LoggingHandler");

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

    /** Warns once per open when DEBUG logging outside the connector will print the access key id or token. */
    public static void warnIfDebugLoggingPrintsCredentials() {
        List<String> printing = CREDENTIAL_PRINTING_LOGGERS.stream()
                .filter(name -> LoggerFactory.getLogger(name).isDebugEnabled()).toList();
        if (!printing.isEmpty()) {
            log.warn("DEBUG logging of {} prints the AWS access key id and session token of every request (AWS SDK "
                    + "and Netty behaviour): set these loggers to INFO except while troubleshooting", printing);
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
