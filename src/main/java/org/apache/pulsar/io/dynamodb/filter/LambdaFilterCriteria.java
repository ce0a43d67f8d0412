package org.apache.pulsar.io.dynamodb.filter;

import java.util.ArrayList;
import java.util.List;
import org.apache.pulsar.io.dynamodb.filter.FilterInput.PatternSource;
import org.apache.pulsar.io.dynamodb.filter.PatternCompiler.InvalidPatternException;
import software.amazon.awssdk.services.dynamodb.model.Record;

/**
 * AWS Lambda's event filtering for DynamoDB stream records: a record is published if any of the patterns matches it
 * as Lambda matches the JSON record it hands a function ({@code eventName}, {@code dynamodb.NewImage} with typed
 * values such as {"N": "30"}, ...). Patterns are compiled once; matching reads the SDK record in place. Immutable,
 * so pure and thread-safe.
 */
public final class LambdaFilterCriteria implements RecordFilter {

    private static final int EXCERPT = 60;

    private final ObjectMatcher[] patterns;
    private final List<String> warnings;

    private LambdaFilterCriteria(List<ObjectMatcher> patterns, List<String> warnings) {
        this.patterns = patterns.toArray(ObjectMatcher[]::new);
        this.warnings = List.copyOf(warnings);
    }

    /**
     * Compiles the {@code filterCriteria} config value: Lambda's FilterCriteria {"Filters": [{"Pattern": "..."}]}
     * (Pattern as JSON text or as an object), a list of patterns (objects or JSON text), or one pattern; as JSON
     * text or already parsed into maps and lists.
     *
     * @throws IllegalArgumentException a one-line message; for a bad pattern it names the pattern by its number
     *     (from 1, in the order given) and a bounded excerpt, says where in it and what is wrong
     */
    public static LambdaFilterCriteria parse(Object value) {
        List<ObjectMatcher> compiled = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        for (PatternSource source : FilterInput.patterns(value)) {
            String name = "filterCriteria pattern " + source.number();
            if (source.json() == null) {
                throw new IllegalArgumentException(name + " (" + Excerpt.of(source.text(), EXCERPT) + ") is invalid: "
                        + source.jsonError());
            }
            try {
                compiled.add(PatternCompiler.compile(source.json()));
            } catch (InvalidPatternException e) {
                throw new IllegalArgumentException(name + " (" + Excerpt.of(source.json(), EXCERPT) + ") is invalid"
                        + (e.path.isEmpty() ? "" : " at " + e.path) + ": " + e.getMessage());
            }
            PatternWarnings.of(source.json()).forEach(warning -> warnings.add(name + ": " + warning));
        }
        return new LambdaFilterCriteria(compiled, warnings);
    }

    @Override
    public boolean accepts(Record record) {
        for (ObjectMatcher pattern : patterns) {
            if (pattern.matches(record)) {
                return true;
            }
        }
        return false;
    }

    /** How many patterns there are (any one matching publishes the record). */
    public int patternCount() {
        return patterns.length;
    }

    /**
     * One line per part of a pattern that can never match a stream record (Lambda takes such patterns silently, and
     * so does this class): worth logging at start-up, since the pattern then filters out more than its author meant.
     */
    public List<String> warnings() {
        return warnings;
    }

    @Override
    public String toString() {
        return "LambdaFilterCriteria[" + patterns.length + (patterns.length == 1 ? " pattern]" : " patterns]");
    }
}
