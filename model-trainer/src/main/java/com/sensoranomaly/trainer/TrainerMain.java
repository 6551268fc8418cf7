package com.sensoranomaly.trainer;

import com.sensoranomaly.model.BundleException;

import picocli.CommandLine;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Runs {@link TrainCommand} on its own: {@code java -cp ... com.sensoranomaly.trainer.TrainerMain --input ... --out ...}.
 *
 * <p>Also the error policy every command of the project's CLI shares ({@link #commandLine}): problems a user
 * can fix end in one line on stderr, never a stack trace; exit code 2 for usage (unknown option, bad value),
 * 1 for unusable input (missing or malformed files, data that cannot train or score). Anything else is a bug
 * and keeps its stack trace.
 */
public final class TrainerMain {
    private TrainerMain() {}

    public static void main(String[] args) {
        System.exit(commandLine(new TrainCommand()).execute(args));
    }

    /** A command line whose bad input ends in one line on stderr: exit 2 for usage, 1 for unusable data. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println(ex.getCommandLine().getCommandName() + ": " + oneLine(ex.getMessage()));
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof DataException || ex instanceof IOException || ex instanceof BundleException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + oneLine(describe(ex)));
                return 1;
            }
            if (ex instanceof IllegalArgumentException) { // a bad option value found after parsing
                commandLine.getErr().println(commandLine.getCommandName() + ": " + oneLine(ex.getMessage()));
                return 2;
            }
            throw ex;
        });
        return cl;
    }

    /** File-system exceptions carry only the path as message; say what happened to it. */
    static String describe(Exception ex) {
        if (ex instanceof NoSuchFileException e) {
            return e.getFile() + ": no such file or directory";
        }
        if (ex instanceof AccessDeniedException e) {
            return e.getFile() + ": permission denied";
        }
        if (ex instanceof FileSystemException e) {
            return e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
        }
        return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
    }

    private static String oneLine(String s) {
        return s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", "; ");
    }
}
