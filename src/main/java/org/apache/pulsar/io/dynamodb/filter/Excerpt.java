package org.apache.pulsar.io.dynamodb.filter;

import com.fasterxml.jackson.databind.JsonNode;

/** Bounded one-line excerpts of patterns for error messages, so a message names the pattern without quoting a page. */
final class Excerpt {

    private Excerpt() {
    }

    /** The node as compact JSON, cut after about max characters. */
    static String of(JsonNode node, int max) {
        return of(node.toString(), max);
    }

    /** The text on one line (runs of white space become one space), cut after about max characters. */
    static String of(String text, int max) {
        String line = text.strip().replaceAll("\\s+", " ");
        if (line.length() <= max) {
            return line;
        }
        int end = Character.isHighSurrogate(line.charAt(max - 1)) ? max - 1 : max;
        return line.substring(0, end) + "...";
    }
}
