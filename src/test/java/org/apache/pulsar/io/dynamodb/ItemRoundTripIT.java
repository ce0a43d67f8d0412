package org.apache.pulsar.io.dynamodb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.apache.pulsar.functions.api.Record;
import org.apache.pulsar.io.dynamodb.testing.DynamoDbLocal;
import org.apache.pulsar.io.dynamodb.testing.RandomItems;
import org.apache.pulsar.io.dynamodb.testing.SourceHarness;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Property-based round trip: random items (every type, deepest nesting, 38-digit and tiny numbers, empty strings,
 * binary, Unicode beyond the BMP, items near 400 KB) are written to DynamoDB Local, some overwritten, and read
 * back through the source: every message's NewImage (and OldImage) decodes to exactly the item written, typed.
 * Seeded: {@code -Droundtrip.seed=N} replays a run; the seed is printed.
 */
class ItemRoundTripIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TABLE = "roundtrip";
    private static final int ITEMS = 300;
    private static final int OVERWRITES = 60;
    private static final long SEED = Long.getLong("roundtrip.seed", System.nanoTime());

    private static DynamoDbLocal dynamo;
    private static SourceHarness harness;
    /** Per item id, every version written, in order. */
    private static final Map<String, List<Map<String, AttributeValue>>> written = new LinkedHashMap<>();
    private static int writes;

    @BeforeAll
    static void writeRandomItemsThenOpen() throws Exception {
        System.out.println("ItemRoundTripIT seed: " + SEED + " (replay with -Droundtrip.seed=" + SEED + ")");
        dynamo = DynamoDbLocal.start();
        String streamArn = dynamo.createTableWithStream(TABLE);
        RandomItems random = new RandomItems(SEED);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < ITEMS; i++) {
            String id = "item" + i + "-" + random.string(6);
            ids.add(id);
            Map<String, AttributeValue> item = switch (i % 100) {
                case 7 -> random.bigItem(id, false);
                case 8 -> random.bigItem(id, true);
                default -> random.item(id);
            };
            write(id, item);
        }
        for (int i = 0; i < OVERWRITES; i++) {
            String id = ids.get((i * 7) % ITEMS);
            write(id, i == 0 ? random.bigItem(id, false) : random.item(id));
        }
        harness = SourceHarness.open(dynamo.sourceConfig(streamArn, "it-roundtrip"), "it-roundtrip", record -> true);
    }

    private static void write(String id, Map<String, AttributeValue> item) {
        try {
            dynamo.put(TABLE, item);
        } catch (RuntimeException e) {
            throw new AssertionError("DynamoDB Local refused item " + id + " (seed " + SEED + "): " + e.getMessage(),
                    e);
        }
        written.computeIfAbsent(id, k -> new ArrayList<>()).add(item);
        writes++;
    }

    @AfterAll
    static void stop() throws Exception {
        if (harness != null) {
            harness.close();
        }
        if (dynamo != null) {
            dynamo.close();
        }
    }

    @Test
    void everyWrittenItemArrivesExactlyAsWritten() {
        await().atMost(Duration.ofSeconds(150)).until(() -> harness.received().size() >= writes
                || harness.readFailure() != null);
        assertThat(harness.readFailure()).isNull();
        List<Record<byte[]>> records = harness.received();
        assertThat(records).as("seed %d", SEED).hasSize(writes);

        Map<String, Integer> seen = new HashMap<>();
        for (Record<byte[]> record : records) {
            JsonNode value = json(record.getValue());
            JsonNode image = value.path("dynamodb");
            String id = image.at("/Keys/id/S").asText();
            List<Map<String, AttributeValue>> versions = written.get(id);
            assertThat(versions).as("seed %d: unexpected key %s", SEED, id).isNotNull();
            int version = seen.merge(id, 1, Integer::sum) - 1;
            assertThat(version).as("seed %d: too many changes of %s", SEED, id).isLessThan(versions.size());
            assertThat(value.get("eventName").asText()).isEqualTo(version == 0 ? "INSERT" : "MODIFY");
            assertThat(json(record.getKey().orElseThrow()).at("/id/S").asText()).isEqualTo(id);

            assertSame(id, "NewImage", versions.get(version), image.get("NewImage"));
            if (version > 0) {
                assertSame(id, "OldImage", versions.get(version - 1), image.get("OldImage"));
            } else {
                assertThat(image.has("OldImage")).isFalse();
            }
        }
        assertThat(seen.keySet()).isEqualTo(written.keySet());

        // The comparison itself notices a difference: the first message against the second item written.
        JsonNode first = json(records.get(0).getValue()).at("/dynamodb/NewImage");
        Map<String, AttributeValue> other = written.values().stream().skip(1).findFirst().orElseThrow().get(0);
        assertThat(difference("NewImage", fromItem(other), fromJsonItem(first))).isNotNull();
    }

    private static void assertSame(String id, String which, Map<String, AttributeValue> expected, JsonNode actual) {
        assertThat(actual).as("seed %d: %s of %s missing", SEED, which, id).isNotNull();
        String difference = difference(which, fromItem(expected), fromJsonItem(actual));
        assertThat(difference).as("seed %d: %s of %s differs", SEED, which, id).isNull();
    }

    private static JsonNode json(byte[] bytes) {
        try {
            return JSON.readTree(bytes);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static JsonNode json(String text) {
        return json(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A typed value in comparable form: numbers by value, sets as sets, binaries by content. */
    private record Typed(String type, Object value) {
    }

    private static Map<String, Typed> fromItem(Map<String, AttributeValue> item) {
        Map<String, Typed> out = new HashMap<>();
        item.forEach((k, v) -> out.put(k, from(v)));
        return out;
    }

    private static Typed from(AttributeValue v) {
        return switch (v.type()) {
            case S -> new Typed("S", v.s());
            case N -> new Typed("N", RandomItems.normalise(v.n()));
            case B -> new Typed("B", ByteBuffer.wrap(v.b().asByteArray()));
            case SS -> new Typed("SS", new HashSet<>(v.ss()));
            case NS -> new Typed("NS", v.ns().stream().map(RandomItems::normalise)
                    .collect(java.util.stream.Collectors.toSet()));
            case BS -> new Typed("BS", v.bs().stream().map(b -> ByteBuffer.wrap(b.asByteArray()))
                    .collect(java.util.stream.Collectors.toSet()));
            case M -> new Typed("M", fromItem(v.m()));
            case L -> new Typed("L", v.l().stream().map(ItemRoundTripIT::from).toList());
            case NUL -> new Typed("NULL", v.nul());
            case BOOL -> new Typed("BOOL", v.bool());
            default -> throw new AssertionError("unexpected " + v);
        };
    }

    private static Map<String, Typed> fromJsonItem(JsonNode item) {
        Map<String, Typed> out = new HashMap<>();
        item.fields().forEachRemaining(e -> out.put(e.getKey(), fromJson(e.getValue())));
        return out;
    }

    private static Typed fromJson(JsonNode typed) {
        assertThat(typed.size()).as("one type per value: %s", typed).isEqualTo(1);
        Map.Entry<String, JsonNode> entry = typed.fields().next();
        JsonNode v = entry.getValue();
        return switch (entry.getKey()) {
            case "S" -> new Typed("S", text(v));
            case "N" -> new Typed("N", RandomItems.normalise(text(v)));
            case "B" -> new Typed("B", ByteBuffer.wrap(Base64.getDecoder().decode(text(v))));
            case "SS" -> new Typed("SS", elements(v, ItemRoundTripIT::text));
            case "NS" -> new Typed("NS", elements(v, n -> RandomItems.normalise(text(n))));
            case "BS" -> new Typed("BS", elements(v, b -> ByteBuffer.wrap(Base64.getDecoder().decode(text(b)))));
            case "M" -> new Typed("M", fromJsonItem(v));
            case "L" -> {
                List<Typed> list = new ArrayList<>();
                v.forEach(element -> list.add(fromJson(element)));
                yield new Typed("L", list);
            }
            case "NULL" -> new Typed("NULL", v.asBoolean());
            case "BOOL" -> {
                assertThat(v.isBoolean()).isTrue();
                yield new Typed("BOOL", v.asBoolean());
            }
            default -> throw new AssertionError("unknown type " + entry.getKey());
        };
    }

    private static String text(JsonNode node) {
        assertThat(node.isTextual()).as("a JSON string: %s", node).isTrue();
        return node.asText();
    }

    private static <T> Set<T> elements(JsonNode array, java.util.function.Function<JsonNode, T> convert) {
        Set<T> set = new HashSet<>();
        array.forEach(element -> set.add(convert.apply(element)));
        assertThat(set).as("no duplicates in %s", array).hasSize(array.size());
        return set;
    }

    /** The first difference as a path and a short description, or null when equal. */
    private static String difference(String path, Object expected, Object actual) {
        if (expected instanceof Typed e && actual instanceof Typed a) {
            if (!e.type().equals(a.type())) {
                return path + ": type " + e.type() + " became " + a.type();
            }
            return difference(path + "." + e.type(), e.value(), a.value());
        }
        if (expected instanceof Map<?, ?> e && actual instanceof Map<?, ?> a) {
            if (!e.keySet().equals(a.keySet())) {
                return path + ": names " + abbreviate(e.keySet()) + " became " + abbreviate(a.keySet());
            }
            for (Object key : e.keySet()) {
                String d = difference(path + "[" + key + "]", e.get(key), a.get(key));
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (expected instanceof List<?> e && actual instanceof List<?> a) {
            if (e.size() != a.size()) {
                return path + ": " + e.size() + " elements became " + a.size();
            }
            Iterator<?> ai = a.iterator();
            int i = 0;
            for (Object element : e) {
                String d = difference(path + "[" + i++ + "]", element, ai.next());
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return Objects.equals(expected, actual) ? null
                : path + ": " + abbreviate(expected) + " became " + abbreviate(actual);
    }

    private static String abbreviate(Object value) {
        String text = String.valueOf(value);
        return text.length() > 200 ? text.substring(0, 200) + "...(" + text.length() + " chars)" : text;
    }
}
