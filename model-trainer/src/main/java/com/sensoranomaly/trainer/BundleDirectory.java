package com.sensoranomaly.trainer;

import com.sensoranomaly.model.ModelBundle;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The directory a bundle is written to: refuses to overwrite anything that is not a model bundle, and puts a
 * finished bundle in place in one rename.
 *
 * <p>The bundle is written into a sibling staging directory and renamed over {@code --out} only when complete:
 * a job (re)loading the bundle meanwhile sees the old bundle or the new one, never a mix whose checksums fail;
 * a failed run leaves the old bundle untouched. A directory holding other files is refused before training
 * starts, so a mistyped {@code --out} cannot cost anyone their files (or a minute of training).
 */
final class BundleDirectory {
    /** The files a bundle directory may hold; anything else means it is not (only) a bundle. */
    static final Set<String> BUNDLE_FILES = Set.of(ModelBundle.MANIFEST, ModelBundle.WEIGHTS, "model.zip", "report.html");

    private final Path dir;

    private BundleDirectory(Path dir) {
        this.dir = dir;
    }

    /** Checks that {@code outDir} is new, empty or a bundle. */
    static BundleDirectory check(Path outDir) throws IOException {
        Path dir = outDir.toAbsolutePath().normalize();
        if (Files.exists(dir)) {
            dir = dir.toRealPath(); // a symlink such as "current -> bundle-7": write where it points, keep the link
            if (!Files.isDirectory(dir)) {
                throw new DataException(outDir + ": exists and is not a directory");
            }
            List<String> foreign = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path p : entries) {
                    String name = p.getFileName().toString();
                    if (!BUNDLE_FILES.contains(name) || !Files.isRegularFile(p)) {
                        foreign.add(name);
                    }
                }
            }
            if (!foreign.isEmpty()) {
                foreign.sort(null);
                throw new DataException(outDir + ": exists and holds files that are not part of a model bundle ("
                        + String.join(", ", foreign.subList(0, Math.min(3, foreign.size())))
                        + (foreign.size() > 3 ? ", ..." : "") + "); give a new or empty directory, or an existing bundle to replace");
            }
        }
        if (dir.getParent() == null) {
            throw new DataException(outDir + ": a bundle needs its own directory");
        }
        return new BundleDirectory(dir);
    }

    /** A new, empty staging directory next to the target (same file system, so the final rename is atomic). */
    Path staging() throws IOException {
        Files.createDirectories(dir.getParent());
        // createDirectory, not createTempDirectory: the latter makes the bundle owner-only (0700) on POSIX,
        // and the job may read it as another user.
        for (int attempt = 0; ; attempt++) {
            Path p = dir.resolveSibling("." + dir.getFileName() + ".partial-" + ProcessHandle.current().pid() + "-" + attempt);
            try {
                return Files.createDirectory(p);
            } catch (java.nio.file.FileAlreadyExistsException e) {
                if (attempt > 100) {
                    throw e;
                }
            }
        }
    }

    /** Puts the finished bundle in {@code staging} in place of the target directory. */
    void replaceWith(Path staging) throws IOException {
        check(dir); // it may have changed while training ran
        if (!Files.exists(dir)) {
            move(staging, dir);
            return;
        }
        Path old = dir.resolveSibling("." + dir.getFileName() + ".old-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
        move(dir, old);
        try {
            move(staging, dir);
        } catch (IOException e) {
            move(old, dir);
            throw e;
        }
        deleteQuietly(old);
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to);
        }
    }

    /** Deletes a staging or old bundle directory (flat: bundles have no subdirectories); absent is fine. */
    static void deleteQuietly(Path dir) {
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path p : entries) {
                Files.deleteIfExists(p);
            }
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // Leftover hidden .partial-/.old- directories are harmless; the run's outcome matters more.
        }
    }
}
