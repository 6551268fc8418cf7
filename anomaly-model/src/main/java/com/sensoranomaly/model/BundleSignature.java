package com.sensoranomaly.model;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Who published a bundle: an Ed25519 signature over its manifest (which holds the sha256 of every other file and the
 * content version), in {@value #FILE} next to it. Checksums alone say a bundle is intact, not who wrote it: anyone who
 * can write the bundle store can recompute them. A job configured with the public key refuses bundles that are
 * unsigned or signed by another key; the private key stays with whoever trains and releases models.
 *
 * <p>Keys are PEM files as OpenSSL writes them ({@code openssl genpkey -algorithm ed25519}): PKCS#8 "PRIVATE KEY" and
 * X.509 "PUBLIC KEY".
 */
public final class BundleSignature {
    public static final String FILE = "manifest.sig";
    private static final String ALGORITHM = "Ed25519";

    private BundleSignature() {}

    public static KeyPair generate() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Writes a key pair as {@code PREFIX.key} (owner-only) and {@code PREFIX.pub}. */
    public static void writeKeyPair(KeyPair pair, Path privateFile, Path publicFile) throws IOException {
        Files.deleteIfExists(privateFile);
        try {
            Files.createFile(privateFile, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(privateFile);
        }
        Files.writeString(privateFile, pem("PRIVATE KEY", pair.getPrivate().getEncoded()));
        Files.writeString(publicFile, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    }

    /** Signs the bundle in {@code dir}: writes {@value #FILE} over its manifest as it is now. */
    public static void sign(Path dir, PrivateKey key) throws IOException {
        byte[] manifest = Files.readAllBytes(dir.resolve(ModelBundle.MANIFEST));
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(key);
            s.update(manifest);
            Files.writeString(dir.resolve(FILE), Base64.getEncoder().encodeToString(s.sign()) + "\n");
        } catch (GeneralSecurityException e) {
            throw new BundleException("cannot sign with this key (an Ed25519 private key is needed): " + e.getMessage(), e);
        }
    }

    /** Checks {@code signature} (the contents of {@value #FILE}) over the manifest bytes; throws naming the problem. */
    public static void verify(byte[] manifest, byte[] signature, PublicKey key, String where) {
        byte[] sig;
        try {
            sig = Base64.getDecoder().decode(new String(signature, StandardCharsets.US_ASCII).trim());
        } catch (IllegalArgumentException e) {
            throw new BundleException("model bundle " + where + ": " + FILE + " is not a base64 signature");
        }
        boolean ok;
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initVerify(key);
            s.update(manifest);
            ok = s.verify(sig);
        } catch (GeneralSecurityException e) {
            ok = false;
        }
        if (!ok) {
            throw new BundleException("model bundle " + where + ": its signature does not verify with the configured public key "
                    + "(signed with another key, or the manifest was changed after signing)");
        }
    }

    public static PrivateKey readPrivateKey(Path file) throws IOException {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der(Files.readString(file), "PRIVATE KEY", file)));
        } catch (GeneralSecurityException e) {
            throw new BundleException(file + " is not an Ed25519 private key: " + e.getMessage(), e);
        }
    }

    /** A public key from PEM text. */
    public static PublicKey parsePublicKey(String pem, String where) {
        try {
            return KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der(pem, "PUBLIC KEY", where)));
        } catch (GeneralSecurityException e) {
            throw new BundleException(where + " is not an Ed25519 public key: " + e.getMessage(), e);
        }
    }

    private static byte[] der(String pem, String type, Object where) {
        String begin = "-----BEGIN " + type + "-----";
        String end = "-----END " + type + "-----";
        int b = pem.indexOf(begin);
        int e = pem.indexOf(end);
        if (b < 0 || e < b) {
            throw new BundleException(where + " is not a PEM " + type + " (expected a '" + begin + "' block)");
        }
        try {
            return Base64.getMimeDecoder().decode(pem.substring(b + begin.length(), e));
        } catch (IllegalArgumentException ex) {
            throw new BundleException(where + ": the " + type + " block is not base64");
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
    }
}
