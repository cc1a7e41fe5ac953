package e1kfuzz.model;

/**
 * An invariant a run broke: which one, at what virtual time, a one-line detail, and the step (from
 * 1) during or after which it happened.
 */
public record Violation(Signature signature, long timeNs, String detail, int step) {}
