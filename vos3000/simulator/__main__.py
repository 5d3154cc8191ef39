from vos3000.simulator.cli import main

main()
