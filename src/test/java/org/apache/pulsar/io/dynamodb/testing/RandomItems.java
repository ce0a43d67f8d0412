package org.apache.pulsar.io.dynamodb.testing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import software.amazon.awssdk.core.SdkBytes;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;

/**
 * Random DynamoDB items within DynamoDB's rules: every attribute type, nesting down to the deepest level DynamoDB
 * takes, numbers of up to 38 significant digits from 1E-130 to 9.99..E+125 in varied spellings, empty strings and
 * binaries, Unicode beyond the BMP, and items of up to about 390 KB.
 */
public final class RandomItems {

    /** Containers DynamoDB Local accepts under a top-level attribute: 31 (its "32 levels" count the attribute). */
    public static final int MAX_CONTAINERS = 31;
    private static final int[] SUPPLEMENTARY = {0x1F600, 0x1F680, 0x1F9D1, 0x20000, 0x2A6D6, 0x1D11E, 0x10348};
    private static final String SAMPLES = "aZ09 _-\"\\/\t\n\r\u00e9\u00df\u00a0\u0394\u05d0\u0627\u4e2d\u6587"
            + "\u3042\uac00\u200d\ufeff\u2028\u0301";

    private final Random random;

    public RandomItems(long seed) {
        this.random = new Random(seed);
    }

    /** An item with the given key and a few random attributes; about one in 12 has a deepest nesting chain. */
    public Map<String, AttributeValue> item(String id) {
        Map<String, AttributeValue> item = new LinkedHashMap<>();
        item.put("id", AttributeValue.fromS(id));
        int attributes = 1 + random.nextInt(8);
        for (int i = 0; i < attributes; i++) {
            item.put(name(), value(0, 3));
        }
        if (random.nextInt(12) == 0) {
            item.put("deep", deepest());
        }
        return item;
    }

    /** An item close to DynamoDB's 400 KB limit (about 390 KB by DynamoDB's count), string or binary. */
    public Map<String, AttributeValue> bigItem(String id, boolean binary) {
        Map<String, AttributeValue> item = item(id);
        item.remove("deep");
        int budget = 390 * 1024 - approximateSize(item) - 1024;
        if (binary) {
            byte[] bytes = new byte[budget];
            random.nextBytes(bytes);
            item.put("big", AttributeValue.fromB(SdkBytes.fromByteArray(bytes)));
        } else {
            StringBuilder text = new StringBuilder();
            while (text.toString().getBytes(StandardCharsets.UTF_8).length < budget - 8) {
                appendChars(text, 4096);
                if (text.length() > budget) {
                    break;
                }
            }
            byte[] utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
            while (utf8.length > budget) {
                text.setLength(text.length() - 16);
                if (Character.isHighSurrogate(text.charAt(text.length() - 1))) {
                    text.setLength(text.length() - 1);
                }
                utf8 = text.toString().getBytes(StandardCharsets.UTF_8);
            }
            item.put("big", AttributeValue.fromS(text.toString()));
        }
        return item;
    }

    /** A nesting chain of MAX_CONTAINERS maps and lists around a random scalar. */
    public AttributeValue deepest() {
        AttributeValue value = scalar();
        for (int i = 0; i < MAX_CONTAINERS; i++) {
            value = random.nextBoolean()
                    ? AttributeValue.fromM(Map.of(name(), value))
                    : AttributeValue.fromL(List.of(value, scalar()));
        }
        return value;
    }

    private AttributeValue value(int depth, int maxDepth) {
        int kind = random.nextInt(depth < maxDepth ? 10 : 8);
        return switch (kind) {
            case 0, 1, 2, 3, 4 -> scalar();
            case 5 -> AttributeValue.fromSs(new ArrayList<>(distinct(() -> string(12), true)));
            case 6 -> AttributeValue.fromNs(numberSet());
            case 7 -> AttributeValue.fromBs(new ArrayList<>(distinct(() -> SdkBytes.fromByteArray(bytes(1, 24)),
                    false)));
            case 8 -> {
                Map<String, AttributeValue> map = new LinkedHashMap<>();
                int size = random.nextInt(5);
                for (int i = 0; i < size; i++) {
                    map.put(name(), value(depth + 1, maxDepth));
                }
                yield AttributeValue.fromM(map);
            }
            default -> {
                List<AttributeValue> list = new ArrayList<>();
                int size = random.nextInt(5);
                for (int i = 0; i < size; i++) {
                    list.add(value(depth + 1, maxDepth));
                }
                yield AttributeValue.fromL(list);
            }
        };
    }

    private AttributeValue scalar() {
        return switch (random.nextInt(6)) {
            case 0, 1 -> AttributeValue.fromS(random.nextInt(8) == 0 ? "" : string(40));
            case 2 -> AttributeValue.fromN(number());
            case 3 -> AttributeValue.fromB(SdkBytes.fromByteArray(bytes(0, 64)));
            case 4 -> AttributeValue.fromBool(random.nextBoolean());
            default -> AttributeValue.fromNul(true);
        };
    }

    private <T> Set<T> distinct(java.util.function.Supplier<T> element, boolean mayBeEmptyString) {
        Set<T> set = new LinkedHashSet<>();
        int size = 1 + random.nextInt(5);
        while (set.size() < size) {
            set.add(element.get());
        }
        if (mayBeEmptyString && random.nextInt(10) == 0) {
            @SuppressWarnings("unchecked")
            T empty = (T) "";
            set.add(empty);
        }
        return set;
    }

    private List<String> numberSet() {
        Map<BigDecimal, String> byValue = new LinkedHashMap<>();
        int size = 1 + random.nextInt(5);
        while (byValue.size() < size) {
            String n = number();
            byValue.putIfAbsent(normalise(n), n);
        }
        return new ArrayList<>(byValue.values());
    }

    /** The value DynamoDB keeps for a number, whatever its spelling. */
    public static BigDecimal normalise(String number) {
        BigDecimal value = new BigDecimal(number);
        return value.signum() == 0 ? BigDecimal.ZERO : value.stripTrailingZeros();
    }

    /** A number DynamoDB accepts, in one of several spellings. */
    public String number() {
        String sign = random.nextInt(3) == 0 ? "-" : "";
        switch (random.nextInt(7)) {
            case 0:
                return sign + random.nextInt(1000);
            case 1:
                return sign + random.nextInt(100) + "." + random.nextInt(1000);
            case 2:
                return sign + (random.nextInt(50) + 1) + ".500";
            case 3:
                return random.nextBoolean() ? "0" : "-0.000";
            default:
                int digits = 1 + random.nextInt(38);
                StringBuilder unscaled = new StringBuilder().append(1 + random.nextInt(9));
                for (int i = 1; i < digits; i++) {
                    unscaled.append(random.nextInt(10));
                }
                // value = 0.d1d2...dn * 10^exponent, kept within 1E-130 .. 9.99E+125
                int exponent = -129 + random.nextInt(255);
                BigDecimal value = new BigDecimal(new BigInteger(unscaled.toString()), digits - exponent);
                String text = random.nextBoolean() ? value.toString() : value.toPlainString();
                return sign + text;
        }
    }

    private String name() {
        String name = string(12);
        return name.isEmpty() ? "n" + random.nextInt(1000) : name;
    }

    /** A string of up to maxChars code points mixing ASCII, escapes, BMP scripts and supplementary characters. */
    public String string(int maxChars) {
        StringBuilder text = new StringBuilder();
        appendChars(text, random.nextInt(maxChars + 1));
        return text.toString();
    }

    private void appendChars(StringBuilder text, int count) {
        for (int i = 0; i < count; i++) {
            int pick = random.nextInt(10);
            if (pick < 5) {
                text.append((char) (0x20 + random.nextInt(0x5f)));
            } else if (pick < 7) {
                text.append(SAMPLES.charAt(random.nextInt(SAMPLES.length())));
            } else if (pick < 9) {
                text.appendCodePoint(SUPPLEMENTARY[random.nextInt(SUPPLEMENTARY.length)] + random.nextInt(32));
            } else {
                text.append((char) (0x4e00 + random.nextInt(0x5000)));
            }
        }
    }

    private byte[] bytes(int min, int max) {
        byte[] bytes = new byte[min + random.nextInt(max - min + 1)];
        random.nextBytes(bytes);
        return bytes;
    }

    /** An over-estimate of DynamoDB's size count for an item. */
    public static int approximateSize(Map<String, AttributeValue> item) {
        int size = 0;
        for (Map.Entry<String, AttributeValue> e : item.entrySet()) {
            size += e.getKey().getBytes(StandardCharsets.UTF_8).length + size(e.getValue());
        }
        return size;
    }

    private static int size(AttributeValue v) {
        return switch (v.type()) {
            case S -> v.s().getBytes(StandardCharsets.UTF_8).length;
            case N -> v.n().length() + 1;
            case B -> v.b().asByteArrayUnsafe().length;
            case SS -> v.ss().stream().mapToInt(s -> s.getBytes(StandardCharsets.UTF_8).length + 1).sum();
            case NS -> v.ns().stream().mapToInt(s -> s.length() + 1).sum();
            case BS -> v.bs().stream().mapToInt(b -> b.asByteArrayUnsafe().length + 1).sum();
            case M -> 3 + approximateSize(v.m()) + v.m().size();
            case L -> 3 + v.l().stream().mapToInt(x -> size(x) + 1).sum();
            default -> 1;
        };
    }
}
