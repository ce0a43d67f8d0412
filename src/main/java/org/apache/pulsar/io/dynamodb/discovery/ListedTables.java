package org.apache.pulsar.io.dynamodb.discovery;

import java.util.Collections;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/** The tables the configuration names: no request. */
final class ListedTables implements TableDiscovery {

    private final SortedSet<String> tables;

    ListedTables(List<String> names) {
        this.tables = Collections.unmodifiableSortedSet(new TreeSet<>(names));
    }

    @Override
    public SortedSet<String> tables() {
        return tables;
    }
}
