package org.apache.pulsar.io.dynamodb.e2e;

import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pulsar.client.admin.PulsarAdmin;
import org.apache.pulsar.client.admin.PulsarAdminException;
import org.apache.pulsar.common.io.SourceConfig;
import org.apache.pulsar.common.policies.data.SourceStatus;
import org.apache.pulsar.common.policies.data.SourceStatus.SourceInstanceStatus.SourceInstanceStatusData;

/**
 * A source on a function worker, handled through the admin API as {@code pulsar-admin sources create/update/stop/
 * start/delete/status} do, with the instance JVMs the worker runs for it (child processes of the worker's JVM).
 */
final class WorkerSource {

    private final PulsarAdmin admin;
    private final ChildJvm workerJvm;
    private final String tenant;
    private final String namespace;
    private final String name;
    private final int parallelism;

    private WorkerSource(PulsarAdmin admin, ChildJvm workerJvm, SourceConfig config) {
        this.admin = admin;
        this.workerJvm = workerJvm;
        this.tenant = config.getTenant();
        this.namespace = config.getNamespace();
        this.name = config.getName();
        this.parallelism = config.getParallelism();
    }

    /** {@code pulsar-admin sources create --archive <archive> ...}: the archive is uploaded to the worker. */
    static WorkerSource create(PulsarAdmin admin, ChildJvm workerJvm, SourceConfig config, Path archive)
            throws PulsarAdminException {
        // a standalone's worker refuses with "Leader not yet ready" until its leader election is done; nothing is
        // created then, so asking again is what a user would do
        await("the function worker's leader, to create the source")
                .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                    try {
                        admin.sources().createSource(config, archive.toString());
                        return true;
                    } catch (PulsarAdminException e) {
                        if (String.valueOf(e.getMessage()).contains("Leader not yet ready")) {
                            return false;
                        }
                        throw e;
                    }
                });
        return new WorkerSource(admin, workerJvm, config);
    }

    /** {@code pulsar-admin sources update} without a new archive: the worker keeps the one it has. */
    void update(SourceConfig config) throws PulsarAdminException {
        admin.sources().updateSource(config, null);
    }

    void stop() throws PulsarAdminException {
        admin.sources().stopSource(tenant, namespace, name);
    }

    void start() throws PulsarAdminException {
        admin.sources().startSource(tenant, namespace, name);
    }

    void delete() throws PulsarAdminException {
        admin.sources().deleteSource(tenant, namespace, name);
    }

    SourceStatus status() throws PulsarAdminException {
        return admin.sources().getSourceStatus(tenant, namespace, name);
    }

    SourceInstanceStatusData instance(int instanceId) throws PulsarAdminException {
        return admin.sources().getSourceStatus(tenant, namespace, name, instanceId);
    }

    /** The KCL worker id prefix of this source's instances ({@code tenant/namespace/name/instance@host}). */
    String workerIdPrefix() {
        return tenant + "/" + namespace + "/" + name + "/";
    }

    /** The live instance JVMs, by instance id. */
    List<InstanceProcess> processes() {
        return InstanceProcess.of(workerJvm, name);
    }

    InstanceProcess process(int instanceId) {
        return processes().stream().filter(process -> process.instanceId() == instanceId).findFirst()
                .orElseThrow(() -> new AssertionError("no JVM of instance " + instanceId + " of " + name));
    }

    Set<Long> pids() {
        return processes().stream().map(InstanceProcess::pid).collect(Collectors.toSet());
    }

    /** Waits for one JVM per instance, none of them one of oldPids; returns them. */
    List<InstanceProcess> awaitProcesses(String what, Set<Long> oldPids, Duration timeout) {
        return await(what).atMost(timeout).pollInterval(Duration.ofMillis(500))
                .until(this::processes, processes -> processes.size() == parallelism
                        && processes.stream().map(InstanceProcess::instanceId).distinct().count() == parallelism
                        && processes.stream().noneMatch(process -> oldPids.contains(process.pid())));
    }

    /** Waits until the worker runs no instance JVM of this source. */
    void awaitNoProcess(String what, Duration timeout) {
        await(what).atMost(timeout).pollInterval(Duration.ofMillis(500)).until(() -> processes().isEmpty());
    }
}
