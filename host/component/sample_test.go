package component

// sampleModule is a core module importing host.log and exporting run,
// cabi_realloc and memory.
func sampleModule() []byte {
	return coreModule(
		vsec(1, coreFuncType(nil, nil), coreFuncType(b(0x7f, 0x7f, 0x7f, 0x7f), b(0x7f))),
		vsec(2, cat(str("host"), str("log"), b(0x00), leb(0))),
		vsec(3, leb(1), leb(0)),
		vsec(5, b(0x00, 0x01)),
		vsec(7,
			cat(str("cabi_realloc"), b(0x00), leb(1)),
			cat(str("run"), b(0x00), leb(2)),
			cat(str("memory"), b(0x02), leb(0))),
		section(0, str("name"), b(0x00)),
	)
}

// sampleNested is a nested component that imports a function and an
// abstract resource and exports them with a record from the outer scope.
func sampleNested() []byte {
	return component(
		vsec(7, tFunc(nil, nil)), // type 0
		vsec(10,
			cat(name("x"), xFunc(0)),                   // func 0
			cat(name("import-type-r"), xSubResource()), // type 1
		),
		vsec(11, cat(name("r"), sType, leb(1), b(0x00))), // type 2
		vsec(7,
			b(0x69, 0x02),      // type 3: own<r>
			tFunc(nil, idx(3)), // type 4: func() -> own<r>
		),
		vsec(6, cat(sType, b(0x02), leb(1), leb(1))),    // type 5: outer record
		vsec(6, cat(sCoreMod, b(0x02), leb(1), leb(0))), // core module 0: outer
		vsec(11,
			cat(name("rec"), sType, leb(5), b(0x00)),           // type 6
			cat(name("run"), sFunc, leb(0), b(0x01), xFunc(0)), // func 1
		),
	)
}

// sample builds a component that uses every section kind and type kind
// the decoder supports.
func sample() []byte {
	instType := tInstance(
		dExport(name("res"), xSubResource()),               // 0
		dType(b(0x69, 0x00)),                               // 1: own<res>
		dAliasOuter(1, 1),                                  // 2: outer record
		dExport(name("rec"), xEq(2)),                       // 3
		dType(tFunc([][]byte{field("a", idx(3))}, idx(1))), // 4
		dExport(name("[constructor]res"), xFunc(4)),
		dType(b(0x68, 0x00)),                                   // 5: borrow<res>
		dType(tFunc([][]byte{field("self", idx(5))}, b(0x79))), // 6
		dExport(name("[method]res.get"), xFunc(6)),
		dType(tFunc(nil, b(0x73))), // 7
		dExport(name("get"), xFunc(7)),
	)
	compType := tComponent(
		dType(tFunc(nil, nil)), // 0
		dType(tInstance(dAliasOuter(1, 0), dExport(name("f"), xFunc(0)))), // 1
		dImport(name("in"), xInstance(1)),
		dExport(name("out"), xFunc(0)),
		dCoreType(coreFuncType(nil, nil)),
	)
	return component(
		section(0, str("hello"), b(1, 2, 3)),
		vsec(7,
			b(0x3f, 0x7f, 0x00), // 0 resource
			tRecord(field("name", b(0x73)), field("n", b(0x79))),                                // 1
			cat(b(0x71), vec(cat(str("a"), b(0x01, 0x7d, 0x00)), cat(str("b"), b(0x00, 0x00)))), // 2 variant
			cat(b(0x70), idx(1)),                      // 3 list<rec>
			cat(b(0x67, 0x7d), leb(4)),                // 4 fixed list
			cat(b(0x6f), vec(b(0x7d), b(0x73))),       // 5 tuple
			cat(b(0x6e), vec(str("x"), str("y"))),     // 6 flags
			cat(b(0x6d), vec(str("p"), str("q"))),     // 7 enum
			b(0x6b, 0x73),                             // 8 option<string>
			cat(b(0x6a, 0x01), idx(3), b(0x01, 0x73)), // 9 result<list<rec>, string>
			b(0x69, 0x00),                             // 10 own
			b(0x68, 0x00),                             // 11 borrow
			b(0x66, 0x01, 0x7d),                       // 12 stream<u8>
			b(0x65, 0x00),                             // 13 future
			b(0x63, 0x73, 0x79),                       // 14 map<string, u32>
			b(0x64),                                   // 15 error-context
			tFunc([][]byte{field("x", idx(11)), field("y", idx(2))}, idx(9)), // 16
			tFunc(nil, nil), // 17
			instType,        // 18
			compType,        // 19
			instType,        // 20
		),
		vsec(10,
			cat(name("test:pkg/iface@1.2.3"), xInstance(18)),                      // instance 0
			cat(legacy("test:pkg/other"), xInstance(20)),                          // instance 1
			cat(b(0x02), str("log"), vec(cat(b(0x02), str("ext-id"))), xFunc(17)), // func 0
			cat(name("tres"), xSubResource()),                                     // type 21
			cat(name("teq"), xEq(1)),                                              // type 22
		),
		vsec(6,
			cat(sFunc, b(0x00), leb(0), str("get")), // func 1
			cat(sType, b(0x00), leb(0), str("res")), // type 23
			cat(sType, b(0x02), leb(0), leb(1)),     // type 24
		),
		vsec(8,
			cat(b(0x01, 0x00), leb(0), vec()), // core func 0: lower log
			cat(b(0x02), leb(0)),              // core func 1: resource.new
			cat(b(0x03), leb(23)),             // core func 2: resource.drop
			cat(b(0x04), leb(0)),              // core func 3: resource.rep
		),
		vsec(3,
			coreFuncType(nil, nil),
			cat(b(0x50), vec(
				cat(b(0x01), coreFuncType(nil, nil)),
				cat(b(0x00), str("host"), str("log"), b(0x00), leb(0)),
				cat(b(0x02, 0x10, 0x01), leb(1), leb(0)),
				cat(b(0x03), str("run"), b(0x00), leb(1)),
			)),
		),
		section(1, sampleModule()),
		vsec(2,
			cat(b(0x01), vec(cat(str("log"), b(0x00), leb(0)))),          // core instance 0
			cat(b(0x00), leb(0), vec(cat(str("host"), b(0x12), leb(0)))), // core instance 1
		),
		vsec(6,
			cat(sCoreFunc, b(0x01), leb(1), str("run")),          // core func 4
			cat(sCoreFunc, b(0x01), leb(1), str("cabi_realloc")), // core func 5
			cat(sCoreMem, b(0x01), leb(1), str("memory")),        // core memory 0
		),
		vsec(8,
			cat(b(0x00, 0x00), leb(4), vec(b(0x00), cat(b(0x03), leb(0)), cat(b(0x04), leb(5))), leb(17)), // func 2
		),
		section(4, sampleNested()),
		vsec(5,
			cat(b(0x00), leb(0), vec(cat(str("x"), sFunc, leb(2)), cat(str("import-type-r"), sType, leb(0)))), // instance 2
			cat(b(0x01), vec(cat(name("run"), sFunc, leb(2)), cat(name("t"), sType, leb(1)))),                 // instance 3
		),
		vsec(11,
			cat(name("test:pkg/exported@1.0.0"), sInstance, leb(2), b(0x00)), // instance 4
			cat(name("run2"), sFunc, leb(2), b(0x01), xFunc(17)),             // func 3
			cat(name("myrec"), sType, leb(1), b(0x00)),                       // type 25
			cat(name("inline"), sInstance, leb(3), b(0x00)),                  // instance 5
		),
	)
}
