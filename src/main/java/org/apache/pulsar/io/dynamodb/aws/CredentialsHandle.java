package org.apache.pulsar.io.dynamodb.aws;

import java.io.Closeable;
import java.io.IOException;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;

/** The credentials every client signs with, and the plugin behind them that must be closed with the source. */
public record CredentialsHandle(AwsCredentialsProvider provider, Closeable owner) implements Closeable {
    @Override
    public void close() throws IOException {
        if (owner != null) {
            owner.close();
        }
    }
}
