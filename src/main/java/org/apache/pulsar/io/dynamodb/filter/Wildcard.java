package org.apache.pulsar.io.dynamodb.filter;

import java.util.ArrayList;
import java.util.List;

/**
 * EventBridge's wildcard: '*' stands for any run of characters, "\*" for a star and "\\" for a backslash; two stars
 * in a row, or a backslash before anything else, are rejected as EventBridge rejects them.
 */
final class Wildcard {

    /** The literal pieces between stars; a value matches if they appear in order, the first and last anchored. */
    private final String[] pieces;

    private Wildcard(List<String> pieces) {
        this.pieces = pieces.toArray(String[]::new);
    }

    /** Compiles a wildcard; IllegalArgumentException says what is wrong with it. */
    static Wildcard compile(String wildcard) {
        List<String> pieces = new ArrayList<>();
        StringBuilder piece = new StringBuilder();
        boolean starBefore = false;
        for (int i = 0; i < wildcard.length(); i++) {
            char c = wildcard.charAt(i);
            if (c == '*') {
                if (starBefore) {
                    throw new IllegalArgumentException("wildcard \"" + wildcard + "\" has two '*' in a row");
                }
                pieces.add(piece.toString());
                piece.setLength(0);
                starBefore = true;
                continue;
            }
            if (c == '\\') {
                char next = i + 1 < wildcard.length() ? wildcard.charAt(i + 1) : 0;
                if (next != '*' && next != '\\') {
                    throw new IllegalArgumentException("wildcard \"" + wildcard
                            + "\" has a backslash before neither '*' nor '\\' (escape a star as \\* and a backslash"
                            + " as \\\\)");
                }
                c = next;
                i++;
            }
            piece.append(c);
            starBefore = false;
        }
        pieces.add(piece.toString());
        return new Wildcard(pieces);
    }

    boolean matches(String value) {
        String first = pieces[0];
        if (pieces.length == 1) {
            return value.equals(first);
        }
        String last = pieces[pieces.length - 1];
        if (value.length() < first.length() + last.length() || !value.startsWith(first) || !value.endsWith(last)) {
            return false;
        }
        int from = first.length();
        int end = value.length() - last.length();
        for (int i = 1; i < pieces.length - 1; i++) {
            int at = value.indexOf(pieces[i], from);
            if (at < 0 || at + pieces[i].length() > end) {
                return false;
            }
            from = at + pieces[i].length();
        }
        return true;
    }
}
