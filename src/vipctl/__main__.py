from vipctl.cli import main

main()
