package org.apache.pulsar.io.dynamodb.kcl;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.apache.pulsar.io.core.SourceContext;

/** KCL worker ids that stay the same when an instance restarts, so it is recognised as the lease owner. */
public final class WorkerIds {

    private WorkerIds() {
    }

    /** {@code tenant/namespace/name/instanceId@host}: unique per running instance, stable across its restarts. */
    public static String of(SourceContext context) {
        String host = hostName();
        if (context == null) {
            return "pulsar-dynamodb@" + host;
        }
        return context.getTenant() + "/" + context.getNamespace() + "/" + context.getSourceName()
                + "/" + context.getInstanceId() + "@" + host;
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            String fromEnv = System.getenv("HOSTNAME");
            return fromEnv == null || fromEnv.isBlank() ? "unknown-host" : fromEnv;
        }
    }
}
