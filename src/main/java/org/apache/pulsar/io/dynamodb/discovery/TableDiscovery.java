package org.apache.pulsar.io.dynamodb.discovery;

import java.util.SortedSet;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;

/** Which tables a source reads now: a fixed list, or those matching a name prefix and a tag. */
public interface TableDiscovery {

    /** The tables to read, by name; sends requests when tables are discovered. */
    SortedSet<String> tables();

    /** The discovery the configuration asks for. */
    static TableDiscovery of(TablesConfig config, TableCatalog catalog) {
        if (!config.tables().isEmpty()) {
            return new ListedTables(config.tables());
        }
        return new MatchingTables(catalog, config.tableNamePrefix(), config.tagKey().orElse(null),
                config.tagValue().orElse(null));
    }
}
