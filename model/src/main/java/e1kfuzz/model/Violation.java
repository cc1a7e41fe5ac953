package e1kfuzz.model;

/** The first invariant a run broke: which one, at what virtual time, and a one-line detail. */
public record Violation(Signature signature, long timeNs, String detail) {}
