Console.WriteLine("fleetvpn");
