import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Enumeration;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

/**
 * Run by ./iiot on the jar it extracts for the AOT cache (java scripts/UnsignJars.java FILE...): writes
 * each jar again without its signature files. The JVM leaves every class of a signed jar out of an AOT
 * cache, so they would be read, verified and checked against their signatures on every start. Only for
 * jars whose signatures nothing relies on at runtime (no JCE provider among them).
 */
public class UnsignJars {

    private static final Pattern SIGNATURE = Pattern.compile("META-INF/[^/]+\\.(SF|RSA|DSA|EC)");

    public static void main(String[] args) throws IOException {
        for (String arg : args) {
            unsign(Path.of(arg));
        }
    }

    private static void unsign(Path jar) throws IOException {
        Path unsigned = jar.resolveSibling(jar.getFileName() + ".unsigned");
        boolean signed = false;
        try (ZipFile in = new ZipFile(jar.toFile());
                OutputStream file = Files.newOutputStream(unsigned);
                ZipOutputStream out = new ZipOutputStream(file)) {
            for (Enumeration<? extends ZipEntry> entries = in.entries(); entries.hasMoreElements(); ) {
                ZipEntry entry = entries.nextElement();
                if (SIGNATURE.matcher(entry.getName()).matches()) {
                    signed = true;
                    continue;
                }
                ZipEntry copy = new ZipEntry(entry.getName());
                copy.setTime(entry.getTime());
                out.putNextEntry(copy);
                try (InputStream data = in.getInputStream(entry)) {
                    data.transferTo(out);
                }
                out.closeEntry();
            }
        }
        if (signed) {
            Files.move(unsigned, jar, StandardCopyOption.REPLACE_EXISTING);
        } else {
            Files.delete(unsigned);
        }
    }
}
