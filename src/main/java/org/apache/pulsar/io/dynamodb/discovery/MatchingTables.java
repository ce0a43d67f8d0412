package org.apache.pulsar.io.dynamodb.discovery;

import java.util.HashMap;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Every table whose name starts with a prefix and, when a tag is given, that carries it. ListTables on every
 * pass; a table's tags are read once and then again every {@value #TAG_REFRESH_PASSES} passes, since
 * ListTagsOfResource is limited to 10 calls per second per account.
 */
final class MatchingTables implements TableDiscovery {

    static final int TAG_REFRESH_PASSES = 10;

    private final TableCatalog catalog;
    private final String prefix;
    private final String tagKey;
    private final String tagValue;
    private final Map<String, CachedTags> tags = new HashMap<>();
    private long pass;

    /** A table's tags as read on a pass. */
    private record CachedTags(boolean matches, long readOnPass) {
    }

    /**
     * @param tagKey null when tables are discovered by name only
     */
    MatchingTables(TableCatalog catalog, String prefix, String tagKey, String tagValue) {
        this.catalog = catalog;
        this.prefix = prefix;
        this.tagKey = tagKey;
        this.tagValue = tagValue;
    }

    @Override
    public synchronized SortedSet<String> tables() {
        pass++;
        SortedSet<String> found = new TreeSet<>();
        java.util.List<String> names = catalog.tableNames();
        for (String name : names) {
            if (name.startsWith(prefix) && (tagKey == null || tagged(name))) {
                found.add(name);
            }
        }
        tags.keySet().retainAll(names);  // a deleted table's tags are forgotten
        return found;
    }

    private boolean tagged(String table) {
        CachedTags cached = tags.get(table);
        if (cached == null || pass - cached.readOnPass() >= TAG_REFRESH_PASSES) {
            TableState state = catalog.describe(table);
            boolean matches = state.exists() && tagValue.equals(catalog.tags(state.tableArn()).get(tagKey));
            cached = new CachedTags(matches, pass);
            tags.put(table, cached);
        }
        return cached.matches();
    }
}
