package org.apache.pulsar.io.dynamodb.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pulsar.io.dynamodb.config.TablesConfig;
import org.junit.jupiter.api.Test;

/**
 * Discovery by name prefix and tag, against a catalog the test answers: DynamoDB Local has no tagging
 * ("Tagging is not currently supported in DynamoDB Local"), so tag discovery cannot be run against it.
 */
class MatchingTablesTest {

    /** Tables, their tags, and the calls made. */
    private static final class FakeCatalog implements TableCatalog {
        final List<String> names = new ArrayList<>();
        final Map<String, Map<String, String>> tags = new HashMap<>();
        final List<String> tagReads = new ArrayList<>();

        @Override
        public List<String> tableNames() {
            return List.copyOf(names);
        }

        @Override
        public TableState describe(String table) {
            return names.contains(table) ? new TableState(table, true, "arn:table/" + table, null)
                    : TableState.missing(table);
        }

        @Override
        public Map<String, String> tags(String tableArn) {
            tagReads.add(tableArn);
            return tags.getOrDefault(tableArn.substring("arn:table/".length()), Map.of());
        }
    }

    private final FakeCatalog catalog = new FakeCatalog();

    @Test
    void byPrefixEveryPassSeesNewAndDeletedTables() {
        catalog.names.addAll(List.of("app-orders", "app-users", "other"));
        MatchingTables discovery = new MatchingTables(catalog, "app-", null, null);

        assertThat(discovery.tables()).containsExactly("app-orders", "app-users");
        catalog.names.add("app-audit");
        catalog.names.remove("app-users");
        assertThat(discovery.tables()).containsExactly("app-audit", "app-orders");
        assertThat(catalog.tagReads).isEmpty();
    }

    @Test
    void byTagWithPrefixReadsEachTablesTagsOnceEveryTenPasses() {
        catalog.names.addAll(List.of("app-orders", "app-users", "app-tmp", "other"));
        catalog.tags.put("app-orders", Map.of("cdc", "on"));
        catalog.tags.put("app-users", Map.of("cdc", "on", "team", "x"));
        catalog.tags.put("app-tmp", Map.of("cdc", "off"));
        catalog.tags.put("other", Map.of("cdc", "on"));
        MatchingTables discovery = new MatchingTables(catalog, "app-", "cdc", "on");

        assertThat(discovery.tables()).containsExactly("app-orders", "app-users");
        assertThat(catalog.tagReads).hasSize(3);  // the three app- tables, not "other"

        catalog.tags.put("app-tmp", Map.of("cdc", "on"));
        for (int pass = 2; pass < MatchingTables.TAG_REFRESH_PASSES + 1; pass++) {
            assertThat(discovery.tables()).containsExactly("app-orders", "app-users");
        }
        assertThat(catalog.tagReads).hasSize(3);
        assertThat(discovery.tables()).containsExactly("app-orders", "app-tmp", "app-users");
        assertThat(catalog.tagReads).hasSize(6);
    }

    @Test
    void theConfigurationChoosesTheDiscovery() {
        catalog.names.addAll(List.of("b-table", "a-table"));
        TablesConfig listed = TablesConfigs.of("tables", "zz-listed,a-table");
        TablesConfig tagged = TablesConfigs.of("tableTag", "k=v");
        catalog.tags.put("b-table", Map.of("k", "v"));

        assertThat(TableDiscovery.of(listed, catalog).tables()).containsExactly("a-table", "zz-listed");
        assertThat(TableDiscovery.of(tagged, catalog).tables()).containsExactly("b-table");
    }
}
