package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.TestRecords.item;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.l;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.m;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.n;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.ns;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.s;
import static org.apache.pulsar.io.dynamodb.convert.TestRecords.ss;

import java.time.Instant;
import software.amazon.awssdk.services.dynamodb.model.OperationType;
import software.amazon.awssdk.services.dynamodb.model.Record;
import software.amazon.awssdk.services.dynamodb.model.StreamRecord;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** Stream records of each kind, and where they were read, for the DOCUMENT and ENVELOPE fixture tests. */
final class FormatRecords {

    static final RecordOrigin ORIGIN = new RecordOrigin("users", "eu-north-1",
            "arn:aws:dynamodb:eu-north-1:123456789012:table/users/stream/2025-07-14T03:42:21.000",
            "shardId-00000001752464000000-1a2b3c4d");
    static final long READ_TIME = 1752464901234L;

    private FormatRecords() {
    }

    /** An INSERT with every attribute type (the builtin-format fixture's record). */
    static Record insertAllTypes() {
        return StreamRecordJsonWriterTest.insertAllTypes();
    }

    static Record modifyCompositeKey() {
        return StreamRecordJsonWriterTest.base("c81e728d9d4c2f636f067f89cc14862c", OperationType.MODIFY)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochMilli(1752464541123L))
                        .keys(item("pk", s("order#1"), "sk", n("5")))
                        .newImage(item("pk", s("order#1"), "sk", n("5"), "status", s("shipped"),
                                "total", n("12345678901234567890123456789012345678"),
                                "items", l(m(item("sku", s("A-1"), "qty", n("2"), "price", n("-1E-130"))))))
                        .oldImage(item("pk", s("order#1"), "sk", n("5"), "status", s("new"),
                                "total", n("1E+125"), "items", l()))
                        .sequenceNumber("111200000000000000000002")
                        .sizeBytes(123L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();
    }

    static Record remove() {
        return StreamRecordJsonWriterTest.base("eccbc87e4b5ce2fe28308fd9f2a7baf3", OperationType.REMOVE)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464600L))
                        .keys(item("id", s("user0")))
                        .oldImage(item("id", s("user0"), "name", s("Zoë"), "tags", ss("a", "b")))
                        .sequenceNumber("111300000000000000000003")
                        .sizeBytes(31L)
                        .streamViewType(StreamViewType.NEW_AND_OLD_IMAGES)
                        .build())
                .build();
    }

    static Record modifyKeysOnly() {
        return StreamRecordJsonWriterTest.base("e4da3b7fbbce2345d7772b0674a318d5", OperationType.MODIFY)
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochSecond(1752464800L))
                        .keys(item("id", s("user0")))
                        .sequenceNumber("111500000000000000000005")
                        .sizeBytes(12L)
                        .streamViewType(StreamViewType.KEYS_ONLY)
                        .build())
                .build();
    }

    /**
     * A snapshot read as the snapshot reader hands it over: event name SNAPSHOT, Keys and NewImage, the read time
     * as ApproximateCreationDateTime, no OldImage and no SequenceNumber.
     */
    static Record snapshot() {
        return Record.builder()
                .eventName("SNAPSHOT")
                .eventSource("aws:dynamodb")
                .awsRegion("eu-north-1")
                .dynamodb(StreamRecord.builder()
                        .approximateCreationDateTime(Instant.ofEpochMilli(1752464545000L))
                        .keys(item("id", s("user1")))
                        .newImage(item("id", s("user1"), "name", s("Ada"), "visits", n("3"),
                                "scores", ns("1.50", "2")))
                        .build())
                .build();
    }

    /** A snapshot read comes from no shard. */
    static RecordOrigin snapshotOrigin() {
        return ORIGIN.withShard(null);
    }
}
