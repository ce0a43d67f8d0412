package org.apache.pulsar.io.dynamodb.convert;

import static org.apache.pulsar.io.dynamodb.convert.TestRecords.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** DOCUMENT values against fixture files: the new image as plain JSON. */
class DocumentWriterTest {

    @Test
    void insertWithEveryAttributeTypeIsThePlainItem() {
        byte[] json = DocumentWriter.write(FormatRecords.insertAllTypes());

        assertThat(json).isEqualTo(fixture("document-insert-all-types.json").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void modifyIsTheNewImageWithExactNumbers() {
        assertThat(DocumentWriter.writeString(FormatRecords.modifyCompositeKey()))
                .isEqualTo(fixture("document-modify-composite-key.json"))
                .contains("\"total\":12345678901234567890123456789012345678", "\"price\":-1E-130");
    }

    @Test
    void snapshotReadIsThePlainItem() {
        assertThat(DocumentWriter.writeString(FormatRecords.snapshot())).isEqualTo(fixture("document-snapshot.json"));
    }

    @Test
    void aRecordWithoutNewImageIsRefusedNamingIt() {
        assertThatThrownBy(() -> DocumentWriter.write(FormatRecords.modifyKeysOnly()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("outputFormat DOCUMENT needs the new image, but the MODIFY record "
                        + "111500000000000000000005 has none (stream view type KEYS_ONLY)");
        assertThatThrownBy(() -> DocumentWriter.write(FormatRecords.remove()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("REMOVE record 111300000000000000000003");
    }
}
