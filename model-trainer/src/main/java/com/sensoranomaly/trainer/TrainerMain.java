package com.sensoranomaly.trainer;

import picocli.CommandLine;

/** Runs {@link TrainCommand} on its own: {@code java -cp ... com.sensoranomaly.trainer.TrainerMain --input ... --out ...}. */
public final class TrainerMain {
    private TrainerMain() {}

    public static void main(String[] args) {
        System.exit(commandLine(new TrainCommand()).execute(args));
    }

    /** A command line whose bad input ends in one line on stderr: exit 2 for usage, 1 for unusable data. */
    public static CommandLine commandLine(Object command) {
        CommandLine cl = new CommandLine(command);
        cl.setParameterExceptionHandler((ex, args) -> {
            ex.getCommandLine().getErr().println(ex.getCommandLine().getCommandName() + ": " + ex.getMessage());
            return 2;
        });
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (ex instanceof DataException || ex instanceof java.io.IOException || ex instanceof com.sensoranomaly.model.BundleException) {
                commandLine.getErr().println(commandLine.getCommandName() + ": " + ex.getMessage());
                return 1;
            }
            if (ex instanceof IllegalArgumentException) { // a bad option value found after parsing
                commandLine.getErr().println(commandLine.getCommandName() + ": " + ex.getMessage());
                return 2;
            }
            throw ex;
        });
        return cl;
    }
}
