package org.apache.pulsar.io.dynamodb.convert;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;

/**
 * Compact JSON written straight into UTF-8 bytes, escaped exactly as Jackson's default generator escapes it and
 * then encoded as {@code String.getBytes(UTF_8)} would. Going through Jackson's char generator, a String and a
 * byte copy cost three buffers per record; Jackson 2.17's byte generator cannot be used instead, as it writes
 * characters beyond the BMP as escaped surrogate pairs rather than raw. Not thread-safe: one per document.
 */
final class Utf8JsonBuilder {

    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};

    private byte[] buf;
    private int len;
    // hasMembers[d]: the object or array open at depth d already holds a member, so the next one needs a comma
    private boolean[] hasMembers = new boolean[16];
    private int depth;
    private boolean afterName;

    Utf8JsonBuilder(int expectedSize) {
        buf = new byte[Math.max(16, expectedSize)];
    }

    Utf8JsonBuilder beginObject() {
        return open((byte) '{');
    }

    Utf8JsonBuilder endObject() {
        return close((byte) '}');
    }

    Utf8JsonBuilder beginArray() {
        return open((byte) '[');
    }

    Utf8JsonBuilder endArray() {
        return close((byte) ']');
    }

    Utf8JsonBuilder name(String name) {
        beforeValue();
        quoted(name);
        put((byte) ':');
        afterName = true;
        return this;
    }

    Utf8JsonBuilder string(String value) {
        beforeValue();
        if (value == null) {
            raw(NULL);
        } else {
            quoted(value);
        }
        return this;
    }

    Utf8JsonBuilder number(long value) {
        beforeValue();
        String digits = Long.toString(value);
        ensure(digits.length());
        for (int i = 0; i < digits.length(); i++) {
            buf[len++] = (byte) digits.charAt(i);
        }
        return this;
    }

    /** Writes a number literal as given; the caller has checked that it is valid JSON (ASCII only). */
    Utf8JsonBuilder numberLiteral(String literal) {
        beforeValue();
        ensure(literal.length());
        for (int i = 0; i < literal.length(); i++) {
            buf[len++] = (byte) literal.charAt(i);
        }
        return this;
    }

    Utf8JsonBuilder bool(boolean value) {
        beforeValue();
        raw(value ? TRUE : FALSE);
        return this;
    }

    Utf8JsonBuilder nullValue() {
        beforeValue();
        raw(NULL);
        return this;
    }

    /** Standard Base64 with padding and no line breaks, as Jackson's MIME_NO_LINEFEEDS variant. */
    Utf8JsonBuilder base64(byte[] bytes) {
        beforeValue();
        put((byte) '"');
        raw(Base64.getEncoder().encode(bytes));
        put((byte) '"');
        return this;
    }

    /** The document's bytes, exactly sized. */
    byte[] toBytes() {
        return Arrays.copyOf(buf, len);
    }

    /** The document as a string, for JSON that is only ever used as text (message keys). */
    String toUtf8String() {
        return new String(buf, 0, len, StandardCharsets.UTF_8);
    }

    private void beforeValue() {
        if (afterName) {
            afterName = false;
        } else if (depth > 0) {
            if (hasMembers[depth]) {
                put((byte) ',');
            } else {
                hasMembers[depth] = true;
            }
        }
    }

    private Utf8JsonBuilder open(byte bracket) {
        beforeValue();
        put(bracket);
        depth++;
        if (depth == hasMembers.length) {
            hasMembers = Arrays.copyOf(hasMembers, depth * 2);
        }
        hasMembers[depth] = false;
        return this;
    }

    private Utf8JsonBuilder close(byte bracket) {
        depth--;
        put(bracket);
        return this;
    }

    private void quoted(String s) {
        int n = s.length();
        // one byte per char and the two quotes: most strings are plain ASCII, and reserving three bytes per char for
        // all of them made every item's buffer grow (and be copied) for its largest string
        ensure(n + 2);
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80 && c >= 0x20 && c != '"' && c != '\\') {
                buf[len++] = (byte) c;
                continue;
            }
            // wider than a byte: room for this char at its widest (a six-byte escape), the rest at three bytes each
            // (UTF-8; a surrogate pair is four bytes for two chars) and the closing quote
            ensure(6 + (n - i - 1) * 3 + 1);
            if (c < 0x80) {
                escape(c);
            } else if (c < 0x800) {
                buf[len++] = (byte) (0xC0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    int cp = Character.toCodePoint(c, s.charAt(++i));
                    buf[len++] = (byte) (0xF0 | (cp >> 18));
                    buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                    buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                    buf[len++] = (byte) (0x80 | (cp & 0x3F));
                } else {
                    // what String.getBytes(UTF_8) makes of an unpaired surrogate
                    buf[len++] = '?';
                }
            } else {
                buf[len++] = (byte) (0xE0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[len++] = (byte) (0x80 | (c & 0x3F));
            }
        }
        buf[len++] = '"';
    }

    /** Writes an escape into room the caller ensured. */
    private void escape(char c) {
        // Jackson's default: short forms for these five, \\u00XX (upper-case hex) for other control characters
        char shortForm = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\f' -> 'f';
            case '\r' -> 'r';
            default -> 0;
        };
        buf[len++] = '\\';
        if (shortForm != 0) {
            buf[len++] = (byte) shortForm;
        } else {
            buf[len++] = 'u';
            buf[len++] = '0';
            buf[len++] = '0';
            buf[len++] = HEX[c >> 4];
            buf[len++] = HEX[c & 0xF];
        }
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void put(byte b) {
        ensure(1);
        buf[len++] = b;
    }

    private void ensure(int more) {
        if (len + more > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
        }
    }
}
