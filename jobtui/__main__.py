from jobtui.start import main

raise SystemExit(main())
