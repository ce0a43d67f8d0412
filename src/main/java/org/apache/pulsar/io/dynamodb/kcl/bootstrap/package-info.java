/**
 * Prepares a KCL 3 application before its scheduler runs, so that a new application reads its first record within
 * seconds instead of 40 to 60 s, without changing KCL. What KCL 3.3.0 waits for at start-up (adapter 2.0.1; verified
 * in their sources, line numbers of those versions) and what this package does about it:
 * <ul>
 * <li>{@code Scheduler.initialize()} (Scheduler.java:487-499) runs a shard sync only when the lease table is empty,
 *     and then first waits a random 1 to 30 s, checking every 3 s whether another worker filled the table
 *     ({@code shouldInitiateLeaseSync()}, :544-559, constants :131-133). Here: one shard sync through the scheduler's
 *     own {@code ShardSyncTaskManager} before it runs, so the table holds the stream's leases. Lease creation is a
 *     conditional put ({@code DynamoDBLeaseRefresher.createLeaseIfNotExists}, :802-833): workers racing on a new
 *     application create each lease once.</li>
 * <li>{@code DynamicMigrationComponentsInitializer.createGsi(true)} (:280-297) waits for the lease table's
 *     {@code LeaseOwnerToLeaseKeyIndex} with {@code waitUntilLeaseOwnerToLeaseKeyIndexExists(10, 600)}, which sleeps
 *     10 s after any check that does not find it ACTIVE (DynamoDBLeaseRefresher.java:433-452), and
 *     {@code DynamoDBLeaseCoordinator.initialize()} polls a new lease table every 10 s (:268-281). CoordinatorState and
 *     WorkerMetricStats tables not ACTIVE at once are waited for with the SDK's TableExists waiter, 20 s between
 *     checks (CoordinatorStateDAO.java:287-310, WorkerMetricStatsDAO.java:176-206). Every table is DescribeTable'd
 *     first and created only when missing. Here: the three tables are created as KCL would create them (the lease
 *     table together with its index) and polled every 250 ms until they and the index are ACTIVE.</li>
 * <li>The {@code LeaseAssignmentManager} assigns leases only to workers with a live {@code WorkerMetricStats} row
 *     (LeaseAssignmentManager.java:526-594). It first runs as soon as it starts (:126-133), while this worker's
 *     reporter writes its first row only 2 s later (DynamicMigrationComponentsInitializer.java:250-262), so a new
 *     application's first pass assigns nothing and the lease waits for the next pass. Here: this worker's row is
 *     written before the scheduler runs, as KCL's reporter writes it.</li>
 * <li>A lease assigned to a worker is found by its lease discoverer every {@code leaseAssignmentIntervalMillis / 2
 *     - 25 ms} (DynamoDBLeaseCoordinator.java:163), and a shard consumer moves one state
 *     ({@code ShardConsumer.executeLifecycle()}, :135-180) per pass of the scheduler's loop, which sleeps
 *     {@code shardConsumerDispatchPollIntervalMillis} between passes (Scheduler.java:562-599): tuned by the caller
 *     (KclChangeStream).</li>
 * <li>The Scheduler's constructor picks worker metrics by probing ECS, EKS and then EC2 instance metadata (two HTTP
 *     requests with 5 s timeouts) unless worker metrics are configured (Scheduler.java:1371-1385,
 *     Ec2Resource.java:41-90): the caller disables them.</li>
 * <li>The adapter's {@code StreamsSchedulerFactory.createScheduler} builds its lease management factory from the
 *     config (StreamsSchedulerFactory.java:239) before it forces {@code shardSyncIntervalMillis} to 0 (:254), and a
 *     shard sync that created leases sleeps that long afterwards (ShardSyncTask.java:84): the caller sets 0 before.</li>
 * <li>The adapter's {@code KinesisMapperUtil.createDynamoDBStreamsArnFromKinesisStreamName} (adapter 2.0.1, :196-208)
 *     reads the stream region's partition when a shard sync or a shard's consumer is made; the SDK's first metadata
 *     lookup loads the metadata of every region and service (about 360 classes): the caller loads it ahead, on the
 *     thread that builds the scheduler while the stream is checked.</li>
 * </ul>
 * Several of these are KCL internals ({@code @KinesisClientInternalApi}); {@code KclInternalsContractTest} fails when
 * a KCL upgrade changes what is relied on here.
 */
package org.apache.pulsar.io.dynamodb.kcl.bootstrap;
