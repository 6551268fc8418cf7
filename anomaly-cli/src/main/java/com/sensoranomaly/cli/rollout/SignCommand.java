package com.sensoranomaly.cli.rollout;

import com.sensoranomaly.model.BundleException;
import com.sensoranomaly.model.BundleSignature;
import com.sensoranomaly.model.BundleSource;
import com.sensoranomaly.model.ModelBundle;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code sign}: signs a bundle that was trained without a key (after review, by whoever releases models). */
@Command(name = "sign", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Sign a model bundle with an Ed25519 private key: writes manifest.sig over its verified manifest."})
public final class SignCommand implements Callable<Integer> {

    @Option(names = "--bundle", required = true, paramLabel = "DIR", description = "the bundle directory")
    Path bundle;

    @Option(names = "--key", required = true, paramLabel = "FILE", description = "Ed25519 private key (PEM)")
    Path key;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        try {
            var privateKey = BundleSignature.readPrivateKey(key);
            // Sign only what verifies: a signature vouches for the bundle's content, not just its bytes.
            String version = ModelBundle.read(BundleSource.directory(bundle)).model().version();
            BundleSignature.sign(bundle, privateKey);
            spec.commandLine().getOut().println("signed " + bundle + " (version " + version + ")");
            return 0;
        } catch (IOException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "cannot read " + e.getMessage());
        } catch (BundleException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
    }
}
