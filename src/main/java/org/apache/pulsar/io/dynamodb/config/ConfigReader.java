package org.apache.pulsar.io.dynamodb.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.pulsar.io.core.SourceContext;

/** Typed reads from a Pulsar config map that collect one-line errors naming the key instead of throwing at once. */
public final class ConfigReader {

    private static final int MAX_ECHO_LENGTH = 80;

    private final Map<String, Object> values;
    private final SourceContext context;
    private final List<String> errors = new ArrayList<>();

    public ConfigReader(Map<String, Object> values, SourceContext context) {
        this.values = values == null ? Map.of() : values;
        this.context = context;
    }

    /** Records a problem with {@code key}; {@code problem} must never contain a secret. */
    public void error(String key, String problem) {
        errors.add("Invalid config '" + key + "': " + problem);
    }

    public boolean hasErrorsFor(String key) {
        return errors.stream().anyMatch(e -> e.startsWith("Invalid config '" + key + "':"));
    }

    public void throwIfInvalid() {
        if (!errors.isEmpty()) {
            throw new IllegalArgumentException(String.join("; ", errors));
        }
    }

    public void rejectUnknownKeys(Collection<String> known) {
        for (String key : values.keySet()) {
            if (known.contains(key)) {
                continue;
            }
            String closest = closest(String.valueOf(key), known);
            errors.add("Unknown config key " + echo(key)
                    + (closest != null
                    ? ": did you mean '" + closest + "'?"
                    : ": valid keys are " + String.join(", ", known)));
        }
    }

    /** A string value, trimmed unless sensitive; {@code defaultValue} when unset. */
    public String string(String key, boolean sensitive, String defaultValue) {
        Object value = raw(key, sensitive);
        if (value == null) {
            return defaultValue;
        }
        if (value instanceof String s) {
            return sensitive ? s : s.trim();
        }
        if (value instanceof Number || value instanceof Boolean || value instanceof Character) {
            return value.toString();
        }
        error(key, "must be a string" + (sensitive ? "" : ", got " + echo(value)));
        return defaultValue;
    }

    /** A whole number in [min, max]; fractions, non-numbers and overflow are errors described by {@code expected}. */
    public long longValue(String key, long defaultValue, long min, long max, String expected) {
        Object value = raw(key, false);
        if (value == null) {
            return defaultValue;
        }
        Long number = wholeNumber(value);
        if (number == null || number < min || number > max) {
            error(key, "must be " + expected + ", got " + echo(value));
            return defaultValue;
        }
        return number;
    }

    public int intValue(String key, int defaultValue, int min, String expected) {
        return (int) longValue(key, defaultValue, min, Integer.MAX_VALUE, expected);
    }

    /** An enum constant by name, in any case. */
    public <E extends Enum<E>> E enumValue(String key, Class<E> type, E defaultValue) {
        Object value = raw(key, false);
        if (value == null) {
            return defaultValue;
        }
        if (type.isInstance(value)) {
            return type.cast(value);
        }
        if (value instanceof String s) {
            String name = s.trim().toUpperCase(Locale.ROOT);
            for (E constant : type.getEnumConstants()) {
                if (constant.name().equals(name)) {
                    return constant;
                }
            }
        }
        error(key, "must be one of "
                + Stream.of(type.getEnumConstants()).map(Enum::name).collect(Collectors.joining(", "))
                + " (any case), got " + echo(value));
        return defaultValue;
    }

    /** An instant from an ISO-8601 date-time with offset, or from epoch milliseconds (number or numeric string). */
    public Optional<Instant> instant(String key) {
        Object value = raw(key, false);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Instant i) {
            return Optional.of(i);
        }
        if (value instanceof Date d) {
            return Optional.of(d.toInstant());
        }
        Long millis = wholeNumber(value);
        if (millis != null && millis >= 0) {
            return Optional.of(Instant.ofEpochMilli(millis));
        }
        if (millis == null && value instanceof String s) {
            try {
                return Optional.of(OffsetDateTime.parse(s.trim()).toInstant());
            } catch (DateTimeParseException e) {
                // reported below
            }
        }
        error(key, "must be an ISO-8601 date-time with offset like '2026-01-02T03:04:05Z' or "
                + "'2026-01-02T03:04:05.123+02:00', or non-negative epoch milliseconds, got " + echo(value));
        return Optional.empty();
    }

    /** A boolean from true/false or their strings in any case; empty when unset, so callers can tell it was set. */
    public Optional<Boolean> booleanValue(String key) {
        Object value = raw(key, false);
        if (value == null) {
            return Optional.empty();
        }
        if (value instanceof Boolean b) {
            return Optional.of(b);
        }
        if (value instanceof String s && (s.trim().equalsIgnoreCase("true") || s.trim().equalsIgnoreCase("false"))) {
            return Optional.of(Boolean.parseBoolean(s.trim()));
        }
        error(key, "must be true or false, got " + echo(value));
        return Optional.empty();
    }

    /**
     * A list of names from a JSON/YAML list of strings or one comma-separated string, each trimmed, blanks dropped;
     * empty when unset.
     */
    public Optional<List<String>> stringList(String key) {
        Object value = raw(key, false);
        if (value == null) {
            return Optional.empty();
        }
        Stream<?> elements;
        if (value instanceof String s) {
            elements = Stream.of(s.split(","));
        } else if (value instanceof Collection<?> c) {
            elements = c.stream();
        } else {
            error(key, "must be a list of names or a comma-separated string, got " + echo(value));
            return Optional.empty();
        }
        List<String> names = new ArrayList<>();
        for (Object element : elements.toList()) {
            if (!(element instanceof String name)) {
                error(key, "must be a list of names or a comma-separated string, got " + echo(value));
                return Optional.empty();
            }
            if (!name.isBlank()) {
                names.add(name.trim());
            }
        }
        return Optional.of(names);
    }

    /** The value as given (a string, number, map or list), for keys with a structure of their own; empty when unset. */
    public Optional<Object> value(String key) {
        return Optional.ofNullable(raw(key, false));
    }

    /** Quotes a value for a message: one line, bounded length. Never call it with a secret. */
    public static String echo(Object value) {
        String text = String.valueOf(value);
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < text.length() && i < MAX_ECHO_LENGTH; i++) {
            char c = text.charAt(i);
            // a message must stay on one line whatever the user typed
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > MAX_ECHO_LENGTH) {
            out.append("...");
        }
        return out.append('\'').toString();
    }

    /** The value for a key, or null when unset: absent, null or a blank string (Pulsar passes "" for unset strings). */
    private Object raw(String key, boolean sensitive) {
        if (sensitive && context != null) {
            String secret = context.getSecret(key);
            if (secret != null) {
                return present(secret);
            }
        }
        return present(values.get(key));
    }

    private static Object present(Object value) {
        return value instanceof String s && s.isBlank() ? null : value;
    }

    /** The value as a long if it is a whole number that fits, else null. */
    private static Long wholeNumber(Object value) {
        BigDecimal decimal;
        try {
            if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
                return ((Number) value).longValue();
            } else if (value instanceof BigInteger b) {
                decimal = new BigDecimal(b);
            } else if (value instanceof BigDecimal b) {
                decimal = b;
            } else if (value instanceof Double || value instanceof Float) {
                decimal = new BigDecimal(value.toString());  // NaN and infinities throw
            } else if (value instanceof String s) {
                decimal = new BigDecimal(s.trim());
            } else {
                return null;
            }
            return decimal.stripTrailingZeros().scale() > 0 ? null : decimal.longValueExact();
        } catch (NumberFormatException | ArithmeticException e) {
            return null;
        }
    }

    /** The known key a typo most likely meant, or null when none is close. */
    private static String closest(String key, Collection<String> known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : known) {
            int distance = distance(key.toLowerCase(Locale.ROOT), candidate.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(2, key.length() / 5) ? best : null;
    }

    /** Levenshtein distance. */
    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
