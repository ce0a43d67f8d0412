package org.apache.pulsar.io.dynamodb.filter;

/** One compiled part of a filter pattern, tested against a node of the record (see {@link RecordTree}). */
interface Condition {

    /** Whether the node (an object, an array, a leaf or {@link RecordTree#MISSING}) satisfies this part. */
    boolean matches(Object node);

    /** Whether this part only asks for absence (exists: false): such a part must hold for every array element. */
    boolean onlyAbsence();
}
