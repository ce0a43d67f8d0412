package org.apache.pulsar.io.dynamodb.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An IAM identity policy of Allow statements as a README shows it, placeholders filled in, and IAM's matching of an
 * action on a resource against it ({@code *} and {@code ?} wildcards; actions case-insensitive, ARNs not).
 */
public final class IamPolicy {

    /** One Allow statement: its Sid, actions and resource ARN patterns, filled in and as written. */
    public record Statement(String sid, List<String> actions, List<String> resources, List<String> written) {

        public boolean allows(String action, String resource) {
            return actions.stream().anyMatch(a -> glob(a, true).matcher(action).matches()) && grantsOn(resource);
        }

        /** Whether one of the statement's resource patterns covers the resource. */
        public boolean grantsOn(String resource) {
            return resources.stream().anyMatch(r -> glob(r, false).matcher(resource).matches());
        }
    }

    private final List<Statement> statements;

    private IamPolicy(List<Statement> statements) {
        this.statements = List.copyOf(statements);
    }

    /**
     * The JSON block under the README heading {@code section}, each placeholder (a whole word of a Resource, such as
     * {@code REGION} or {@code pulsar-dynamodb}) replaced by its value.
     */
    public static IamPolicy fromReadme(Path readme, String section, Map<String, String> placeholders)
            throws IOException {
        List<String> lines = Files.readAllLines(readme, StandardCharsets.UTF_8);
        int heading = lines.indexOf(section);
        if (heading < 0) {
            throw new AssertionError("README has no line " + section);
        }
        int open = heading;
        while (!lines.get(open).equals("```json")) {
            open++;
        }
        int close = lines.subList(open + 1, lines.size()).indexOf("```") + open + 1;
        return parse(String.join("\n", lines.subList(open + 1, close)), placeholders);
    }

    static IamPolicy parse(String json, Map<String, String> placeholders) throws IOException {
        List<Statement> statements = new ArrayList<>();
        for (JsonNode statement : new ObjectMapper().readTree(json).path("Statement")) {
            for (String unsupported : List.of("NotAction", "NotResource", "Condition", "Principal")) {
                if (statement.has(unsupported)) {
                    throw new IllegalArgumentException("not evaluated here: " + unsupported + " in " + statement);
                }
            }
            if (!"Allow".equals(statement.path("Effect").asText())) {
                throw new IllegalArgumentException("only Allow statements are evaluated here: " + statement);
            }
            List<String> written = strings(statement.path("Resource"));
            statements.add(new Statement(statement.path("Sid").asText(), strings(statement.path("Action")),
                    written.stream().map(resource -> fill(resource, placeholders)).toList(), written));
        }
        return new IamPolicy(statements);
    }

    private static List<String> strings(JsonNode node) {
        List<String> values = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(value -> values.add(value.asText()));
        } else if (node.isTextual()) {
            values.add(node.asText());
        }
        return values;
    }

    private static String fill(String resource, Map<String, String> placeholders) {
        String filled = resource;
        for (Map.Entry<String, String> placeholder : placeholders.entrySet()) {
            filled = filled.replaceAll("(?<![\\w-])" + Pattern.quote(placeholder.getKey()) + "(?![\\w])",
                    Matcher.quoteReplacement(placeholder.getValue()));
        }
        return filled;
    }

    /** IAM's wildcards: {@code *} any run of characters, {@code ?} one character; the rest literal. */
    static Pattern glob(String pattern, boolean ignoreCase) {
        StringBuilder regex = new StringBuilder();
        for (char c : pattern.toCharArray()) {
            regex.append(c == '*' ? ".*" : c == '?' ? "." : Pattern.quote(String.valueOf(c)));
        }
        return ignoreCase ? Pattern.compile(regex.toString(), Pattern.CASE_INSENSITIVE | Pattern.UNICODE_CASE)
                : Pattern.compile(regex.toString());
    }

    /** Every grant, as "Sid action" and "Sid resource" (the resource as written, placeholders and all). */
    public Set<String> grants() {
        Set<String> grants = new TreeSet<>();
        for (Statement statement : statements) {
            statement.actions().forEach(action -> grants.add(statement.sid() + " " + action));
            statement.written().forEach(resource -> grants.add(statement.sid() + " " + resource));
        }
        return grants;
    }

    /** The {@link #grants()} that allowed at least one of the calls. */
    public Set<String> grantsUsedBy(Collection<AwsCallRecorder.Call> calls) {
        Set<String> used = new TreeSet<>();
        for (Statement statement : statements) {
            List<AwsCallRecorder.Call> allowed = calls.stream()
                    .filter(call -> statement.allows(call.action(), call.resource())).toList();
            for (String action : statement.actions()) {
                if (allowed.stream().anyMatch(call -> glob(action, true).matcher(call.action()).matches())) {
                    used.add(statement.sid() + " " + action);
                }
            }
            for (int i = 0; i < statement.resources().size(); i++) {
                Pattern resource = glob(statement.resources().get(i), false);
                if (allowed.stream().anyMatch(call -> resource.matcher(call.resource()).matches())) {
                    used.add(statement.sid() + " " + statement.written().get(i));
                }
            }
        }
        return used;
    }

    /** This policy and one more statement. */
    public IamPolicy with(Statement statement) {
        List<Statement> more = new ArrayList<>(statements);
        more.add(statement);
        return new IamPolicy(more);
    }

    public List<Statement> statements() {
        return statements;
    }

    /** Whether some statement allows the action (as {@code dynamodb:GetRecords}) on the resource. */
    public boolean allows(String action, String resource) {
        return statements.stream().anyMatch(statement -> statement.allows(action, resource));
    }

    @Override
    public String toString() {
        return statements.toString();
    }
}
