package io.insa.iiot.shared;

/** A validated page request: page from 0, size from 1 to the configured cap. */
public record PageRequest(int page, int size) {

    public static final int DEFAULT_SIZE = 50;

    public static PageRequest of(Integer page, Integer size, int maxSize) {
        int p = page == null ? 0 : page;
        int s = size == null ? DEFAULT_SIZE : size;
        if (p < 0) {
            throw ProblemException.badRequest("page", "must be 0 or more");
        }
        if (s < 1 || s > maxSize) {
            throw ProblemException.badRequest("size", "must be between 1 and " + maxSize);
        }
        return new PageRequest(p, s);
    }

    public long offset() {
        return (long) page * size;
    }

    public <T> Page<T> page(java.util.List<T> items, long total) {
        return new Page<>(items, page, size, total);
    }
}
