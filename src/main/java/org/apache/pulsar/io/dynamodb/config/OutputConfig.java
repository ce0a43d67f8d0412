package org.apache.pulsar.io.dynamodb.config;

import java.util.List;
import java.util.Optional;
import org.apache.pulsar.io.core.annotations.FieldDoc;
import software.amazon.awssdk.services.dynamodb.model.StreamViewType;

/** What each message looks like: value format, tombstones and key; validated and immutable. */
public final class OutputConfig {

    /** This concern's config keys, in declaration order. */
    public static final List<String> KEYS = FieldDocs.keys(OutputConfig.class);

    @FieldDoc(required = false, defaultValue = "PRIMARY_KEY",
            help = "Pulsar message key: PRIMARY_KEY (the item's key: per-item order with Key_Shared and "
                    + "compaction) or EVENT_ID (the stream record's random eventID, as the builtin connector)")
    private final MessageKeyMode messageKeyMode;

    @FieldDoc(required = false, defaultValue = "DYNAMODB_JSON",
            help = "Message value: DYNAMODB_JSON (the builtin connector's JSON of the stream record, typed "
                    + "values), DOCUMENT (the item as plain JSON; a REMOVE is a tombstone) or ENVELOPE (op, "
                    + "before, after, keys, source, ts_ms as plain JSON)")
    private final OutputFormat outputFormat;

    @FieldDoc(required = false, defaultValue = "true with ENVELOPE",
            help = "ENVELOPE only: follow each REMOVE's envelope with a tombstone (the item's key, an empty value), "
                    + "so that topic compaction drops deleted items")
    private final boolean tombstoneAfterDelete;

    private OutputConfig(MessageKeyMode messageKeyMode, OutputFormat outputFormat, boolean tombstoneAfterDelete) {
        this.messageKeyMode = messageKeyMode;
        this.outputFormat = outputFormat;
        this.tombstoneAfterDelete = tombstoneAfterDelete;
    }

    /** Reads and checks this concern's keys; problems go to the reader as one-line errors. */
    public static OutputConfig read(ConfigReader in) {
        MessageKeyMode keyMode = in.enumValue("messageKeyMode", MessageKeyMode.class, MessageKeyMode.PRIMARY_KEY);
        OutputFormat format = in.enumValue("outputFormat", OutputFormat.class, OutputFormat.DYNAMODB_JSON);
        Optional<Boolean> tombstones = in.booleanValue("tombstoneAfterDelete");
        if (format != OutputFormat.DYNAMODB_JSON && keyMode == MessageKeyMode.EVENT_ID) {
            in.error("messageKeyMode", "EVENT_ID cannot be used with outputFormat " + format
                    + ": compaction and tombstones need the item's key (use PRIMARY_KEY)");
        }
        // Only a value that asks for what the format cannot do is an error; the other value is what it does anyway.
        if (format == OutputFormat.DYNAMODB_JSON && tombstones.orElse(false)) {
            in.error("tombstoneAfterDelete", "true needs outputFormat ENVELOPE (DYNAMODB_JSON publishes no "
                    + "tombstones; DOCUMENT publishes each REMOVE as one)");
        } else if (format == OutputFormat.DOCUMENT && !tombstones.orElse(true)) {
            in.error("tombstoneAfterDelete", "false cannot be used with outputFormat DOCUMENT, which publishes each "
                    + "REMOVE as a tombstone (use ENVELOPE to publish deletes without tombstones)");
        }
        return new OutputConfig(keyMode, format,
                format == OutputFormat.ENVELOPE && tombstones.orElse(true));
    }

    /**
     * Fails with one line when the stream cannot give this format what it needs: DOCUMENT publishes new images,
     * which KEYS_ONLY and OLD_IMAGE streams do not carry.
     */
    public void checkStreamViewType(StreamViewType viewType, String streamArn) {
        if (!canUse(viewType)) {
            throw new IllegalArgumentException("Invalid config 'outputFormat': DOCUMENT needs a stream view type "
                    + "with new images (NEW_IMAGE or NEW_AND_OLD_IMAGES), but stream " + streamArn + " has "
                    + viewType);
        }
    }

    /** Whether this format can be made from a stream of this view type (DOCUMENT needs new images). */
    public boolean canUse(StreamViewType viewType) {
        return outputFormat != OutputFormat.DOCUMENT
                || viewType == StreamViewType.NEW_IMAGE || viewType == StreamViewType.NEW_AND_OLD_IMAGES;
    }

    public MessageKeyMode messageKeyMode() {
        return messageKeyMode;
    }

    public OutputFormat outputFormat() {
        return outputFormat;
    }

    /** Whether an ENVELOPE REMOVE is followed by a tombstone; false for the other formats. */
    public boolean tombstoneAfterDelete() {
        return tombstoneAfterDelete;
    }
}
