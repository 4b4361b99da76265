package component

import "fmt"

func ExampleComponent_World() {
	c, err := Decode(sample())
	if err != nil {
		fmt.Println(err)
		return
	}
	r, wid, err := c.World()
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, it := range r.Worlds[wid].Exports {
		fmt.Println("export", r.KeyName(it.Key))
	}
	// Output:
	// export test:pkg/exported@1.0.0
	// export run2
	// export inline
}
