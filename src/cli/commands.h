/* One entry point per subcommand: argc/argv start at the command's name. */
#ifndef DSML_CLI_COMMANDS_H
#define DSML_CLI_COMMANDS_H

int cmd_version(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_loss(int argc, char **argv);
int cmd_summary(int argc, char **argv);
int cmd_fetch(int argc, char **argv);
int cmd_prepare(int argc, char **argv);
int cmd_data(int argc, char **argv);
int cmd_tables(int argc, char **argv);
int cmd_plots(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_regress(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_eval(int argc, char **argv);

#endif
