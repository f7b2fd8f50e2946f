package io.insa.iiot.shared;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/** The installation's data directory ({@code insa.data-dir}): generated secrets live here, mode 0600. */
@Component
public class DataDirectory {

    private final Path root;

    public DataDirectory(@Value("${insa.data-dir}") Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    public Optional<String> readSecret(String name) {
        Path file = root.resolve(name);
        try {
            return Files.exists(file) ? Optional.of(Files.readString(file).strip()) : Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** Writes (or replaces) a secret readable by the owner only; the file never exists with wider rights. */
    public Path writeSecret(String name, String value) {
        return writeSecret(name, (value + "\n").getBytes(StandardCharsets.UTF_8));
    }

    /** As {@link #writeSecret(String, String)}, for binary secrets (a keystore). */
    public Path writeSecret(String name, byte[] value) {
        Path file = root.resolve(name);
        try {
            Files.createDirectories(root);
            Path temp = Files.createTempFile(
                    root,
                    "." + name,
                    ".tmp",
                    PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.write(temp, value, StandardOpenOption.TRUNCATE_EXISTING);
            return Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }
}
