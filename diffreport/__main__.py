import signal

from .cli import main

try:
    main()
finally:
    # The command is over (its output written or its error reported): a Ctrl-C that lands in
    # the interpreter's shutdown must not turn a finished run into a crash (exit -2).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
