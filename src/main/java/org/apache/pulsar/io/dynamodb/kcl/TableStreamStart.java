package org.apache.pulsar.io.dynamodb.kcl;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pulsar.io.dynamodb.aws.AwsClients;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.model.ListStreamsResponse;
import software.amazon.awssdk.services.dynamodb.model.Stream;

/**
 * Where a tableName source starts at open, so that a restart does what following in process does: the lease table
 * may hold the leases of an earlier stream of the table (lease keys are bare shard ids). Finished ones are deleted
 * and the current stream is read from its first record, never from LATEST; unfinished ones are read to their end
 * first, on their own stream, and the source then follows the table to its current stream.
 */
public final class TableStreamStart {

    private static final Logger log = LoggerFactory.getLogger(TableStreamStart.class);

    /**
     * @param streamArn       the stream to read first
     * @param fromFirstRecord read it from its first record whatever initialPositionInStream says
     */
    public record Start(String streamArn, boolean fromFirstRecord) {
    }

    private TableStreamStart() {
    }

    /** Reads the lease table and the table's streams; deletes an earlier stream's finished leases. */
    public static Start resolve(String table, String currentArn, AwsClients clients, String leaseTable) {
        LeaseRows rows = new LeaseRows(clients.dynamo(), leaseTable);
        Map<String, String> leases = rows.checkpointsByKey();
        if (leases.isEmpty()) {
            return new Start(currentArn, false);
        }
        Set<String> currentShards = new StreamShards(clients.streams(), currentArn).all();
        switch (StreamSuccession.atOpen(currentShards, leases)) {
            case AS_CONFIGURED:
                return new Start(currentArn, false);
            case FIRST_RECORD_AFTER_FINISHED: {
                int deleted = rows.deleteKeys(leases.keySet(), true);
                String earlier;
                try {
                    earlier = streamHolding(clients, table, currentArn, leases.keySet()).orElse(null);
                } catch (SdkException e) {
                    earlier = null;  // only named in the log
                }
                log.info("Lease table {} held only the {} finished leases of an earlier stream of table {}: deleted {}",
                        leaseTable, leases.size(), table, deleted);
                TableEvents.followed(table, earlier == null ? "(an earlier stream)" : earlier, currentArn);
                return new Start(currentArn, true);
            }
            case FINISH_EARLIER: {
                Set<String> unfinished = leases.entrySet().stream()
                        .filter(lease -> !StreamSuccession.SHARD_END.equals(lease.getValue()))
                        .map(Map.Entry::getKey).collect(java.util.stream.Collectors.toSet());
                Optional<String> earlier;
                try {
                    earlier = streamHolding(clients, table, currentArn, unfinished);
                } catch (SdkException e) {
                    throw new IllegalStateException("Table " + table + ": lease table " + leaseTable + " holds "
                            + unfinished.size() + " unfinished leases of an earlier stream of the table, and finding it "
                            + "with ListStreams failed (" + e.getMessage() + "): allow dynamodb:ListStreams", e);
                }
                if (earlier.isPresent()) {
                    log.info("Table {}: lease table {} holds unfinished leases of earlier stream {}: reading it to its "
                            + "end first, then the table's current stream {}", table, leaseTable, earlier.get(),
                            currentArn);
                    return new Start(earlier.get(), false);
                }
                int deleted = rows.deleteKeys(leases.keySet(), false);
                log.warn("Table {}: lease table {} held {} leases ({} unfinished) of shards that are in none of the "
                        + "table's streams (an earlier stream expired 24 hours after it was disabled): the records "
                        + "left in them are gone; deleted {} leases, reading stream {} from its first record", table,
                        leaseTable, leases.size(), unfinished.size(), deleted, currentArn);
                return new Start(currentArn, true);
            }
            default:
                throw new IllegalStateException("unknown start");
        }
    }

    /** The table's other stream (ListStreams, every page) that has one of these shards, if any still exists. */
    private static Optional<String> streamHolding(AwsClients clients, String table, String currentArn,
                                                  Set<String> shardIds) {
        String after = null;
        do {
            String start = after;
            ListStreamsResponse page = clients.streams().listStreams(b -> b.tableName(table)
                    .exclusiveStartStreamArn(start));
            for (Stream stream : page.streams()) {
                if (!stream.streamArn().equals(currentArn) && new StreamShards(clients.streams(), stream.streamArn())
                        .all().stream().anyMatch(shardIds::contains)) {
                    return Optional.of(stream.streamArn());
                }
            }
            after = page.lastEvaluatedStreamArn();
        } while (after != null);
        return Optional.empty();
    }
}
