package org.apache.pulsar.io.dynamodb.config;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;
import org.apache.pulsar.io.core.annotations.FieldDoc;

/** The config keys a class declares as {@link FieldDoc} fields, and their values for a log line. */
public final class FieldDocs {

    private FieldDocs() {
    }

    /** The names of the class's {@link FieldDoc} fields, in declaration order. */
    public static List<String> keys(Class<?> type) {
        return Stream.of(type.getDeclaredFields())
                .filter(f -> f.isAnnotationPresent(FieldDoc.class) && !Modifier.isStatic(f.getModifiers()))
                .map(Field::getName)
                .toList();
    }

    /** Adds key=value for each {@link FieldDoc} field of the object; sensitive values show as ****** when set. */
    public static void describe(Object config, StringJoiner out) {
        for (Field field : config.getClass().getDeclaredFields()) {
            FieldDoc doc = field.getAnnotation(FieldDoc.class);
            if (doc == null || Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            Object value;
            try {
                field.setAccessible(true);
                value = field.get(config);
            } catch (IllegalAccessException | RuntimeException e) {
                throw new IllegalStateException("cannot read config field " + field.getName(), e);
            }
            String text = value == null ? "" : value.toString();
            if (doc.sensitive() && !text.isEmpty()) {
                text = "******";
            }
            out.add(field.getName() + "=" + (value instanceof Number ? text : "'" + text + "'"));
        }
    }
}
