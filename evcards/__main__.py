from evcards.cli import main

main()
