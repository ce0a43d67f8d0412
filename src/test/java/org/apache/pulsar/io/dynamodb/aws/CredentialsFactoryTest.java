package org.apache.pulsar.io.dynamodb.aws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.apache.pulsar.io.aws.AwsDefaultProviderChainPlugin;
import org.apache.pulsar.io.dynamodb.DynamoDBSourceConfig;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsCredentials;
import software.amazon.awssdk.auth.credentials.AwsSessionCredentials;

class CredentialsFactoryTest {

    private static final String ARN = "arn:aws:dynamodb:eu-north-1:123456789012:table/orders/stream/2026-01-01T00:00:00.000";

    private static DynamoDBSourceConfig config(String pluginName, String param) {
        Map<String, Object> map = new HashMap<>();
        map.put("awsDynamodbStreamArn", ARN);
        map.put("awsCredentialPluginName", pluginName);
        map.put("awsCredentialPluginParam", param);
        return DynamoDBSourceConfig.load(map, null);
    }

    @Test
    void staticKeysSignEveryRequest() throws Exception {
        try (CredentialsHandle handle = CredentialsFactory.create(
                config("", "{\"accessKey\":\"AKIDEXAMPLE\",\"secretKey\":\"wJalrXUtnFEMI\"}"))) {
            AwsCredentials credentials = handle.provider().resolveCredentials();
            assertThat(credentials.accessKeyId()).isEqualTo("AKIDEXAMPLE");
            assertThat(credentials.secretAccessKey()).isEqualTo("wJalrXUtnFEMI");
            assertThat(credentials).isNotInstanceOf(AwsSessionCredentials.class);
        }
    }

    @Test
    void aSessionTokenInTheStaticJsonIsUsed() throws Exception {
        try (CredentialsHandle handle = CredentialsFactory.create(config("",
                "{\"accessKey\":\"AKIDEXAMPLE\",\"secretKey\":\"wJalrXUtnFEMI\",\"sessionToken\":\"FwoGZXIvYXdz\"}"))) {
            AwsCredentials credentials = handle.provider().resolveCredentials();
            assertThat(credentials).isInstanceOfSatisfying(AwsSessionCredentials.class,
                    session -> assertThat(session.sessionToken()).isEqualTo("FwoGZXIvYXdz"));
        }
    }

    @Test
    void theDefaultChainPluginGivesAnSdkV2Provider() throws Exception {
        try (CredentialsHandle handle = CredentialsFactory.create(
                config(AwsDefaultProviderChainPlugin.class.getName(), ""))) {
            assertThat(handle.provider()).isNotNull();
            assertThat(handle.owner()).isInstanceOf(AwsDefaultProviderChainPlugin.class);
        }
    }

    @Test
    void anUnknownPluginClassNamesTheKey() {
        assertThatThrownBy(() -> CredentialsFactory.create(config("com.example.NoSuchPlugin", "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("awsCredentialPluginName")
                .hasMessageContaining("com.example.NoSuchPlugin");
    }

    @Test
    void aClassThatIsNoPluginNamesTheKey() {
        assertThatThrownBy(() -> CredentialsFactory.create(config(String.class.getName(), "")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("awsCredentialPluginName")
                .hasMessageContaining("does not implement");
    }
}
