package io.insa.iiot.shared;

import java.util.List;
import java.util.function.Function;

/** The list envelope of the API: {@code {"items": [...], "page": 0, "size": 50, "total": 123}}. */
public record Page<T>(List<T> items, int page, int size, long total) {

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(items.stream().map(mapper).toList(), page, size, total);
    }
}
