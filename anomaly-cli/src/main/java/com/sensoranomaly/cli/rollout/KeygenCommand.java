package com.sensoranomaly.cli.rollout;

import com.sensoranomaly.model.BundleSignature;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code keygen}: a release key pair for signing model bundles. */
@Command(name = "keygen", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Create an Ed25519 key pair for signing model bundles: PREFIX.key (private, owner-only) and PREFIX.pub.",
                "Sign with `train --signing-key PREFIX.key` or `sign`; give jobs `--bundle.public-key PREFIX.pub`."})
public final class KeygenCommand implements Callable<Integer> {

    @Option(names = "--out", required = true, paramLabel = "PREFIX", description = "path prefix of the two key files")
    Path prefix;

    @Option(names = "--force", description = "overwrite existing key files")
    boolean force;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Path key = Path.of(prefix + ".key");
        Path pub = Path.of(prefix + ".pub");
        if (!force && (Files.exists(key) || Files.exists(pub))) {
            throw new CommandLine.ParameterException(spec.commandLine(), key + " or " + pub + " exists; --force to replace the key pair");
        }
        if (key.toAbsolutePath().getParent() != null) {
            Files.createDirectories(key.toAbsolutePath().getParent());
        }
        BundleSignature.writeKeyPair(BundleSignature.generate(), key, pub);
        spec.commandLine().getOut().println("private key: " + key + " (keep it with whoever releases models)");
        spec.commandLine().getOut().println("public key:  " + pub + " (give it to jobs as --bundle.public-key)");
        return 0;
    }
}
