from relucheck.cli import main

raise SystemExit(main())
